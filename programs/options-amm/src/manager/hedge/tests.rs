use super::*;
use crate::state::greek_cache::CacheEntry;
use crate::state::params::tests::sane;
use crate::state::series::Kind;
use bytemuck::Zeroable;

const ONE: u64 = 1_000_000_000;
const USDC: u64 = 1_000_000;
const DAY: i64 = 86_400;

fn fx(s: &str) -> I80F48 {
    s.parse().unwrap()
}

fn pool(quote: u64, hedge: u64) -> Pool {
    let mut params = sane();
    params.hedge.policy = HedgePolicyConfig::DeltaThreshold { band: ONE };
    params.hedge.min_band = ONE / 10;
    params.hedge.max_trade = 100 * ONE;
    params.hedge.cooldown_s = 60;
    params.hedge.max_slippage_bps = 100;
    params.vol.rate_bps = 0;
    Pool::for_tests(params, quote, hedge)
}

/// A pool short `short` contracts of one 30-day series at spot 150.
fn cache(strike: &str, kind: Kind, short: u64) -> Box<GreekCache> {
    let mut c = Box::new(GreekCache::zeroed());
    c.add_series(Pubkey::new_unique(), fx(strike), 30 * DAY, kind, fx("0.8"), fx("1")).unwrap();
    c.entries[0].net_short = short;
    c.refresh(fx("150"), 1000, I80F48::ZERO, Decimals { underlying: 9, quote: 6 }).unwrap();
    c
}

fn code<T: core::fmt::Debug>(r: Result<T>) -> u32 {
    match r {
        Err(Error::AnchorError(e)) => e.error_code_number,
        other => panic!("expected an Anchor error, got {other:?}"),
    }
}

#[test]
fn short_calls_buy_back_to_the_target_within_the_oracle_bound() {
    let p = pool(100_000 * USDC, 0);
    let c = cache("150", Kind::Call, 10 * ONE);
    let plan = plan(&p, &c, fx("150"), 1000).unwrap();
    assert_eq!(plan.side, HedgeSide::BuyUnderlying);
    // threshold-to-target: buys the whole target, rounded up to a base unit
    assert_eq!(plan.underlying, c.target_hedge().ceil().to_num::<u64>());
    // the bound is the oracle price + 1%, rounded up
    let max_cost = (fx("151.5") * I80F48::from_num(plan.underlying) / I80F48::from_num(1000)).ceil().to_num::<u64>();
    assert!((plan.quote_bound as i64 - max_cost as i64).abs() <= 1, "{} vs {max_cost}", plan.quote_bound);
    assert_eq!(plan.band, I80F48::from_num(ONE));
}

#[test]
fn inside_the_band_nothing_trades_and_the_cooldown_holds() {
    let c = cache("150", Kind::Call, 10 * ONE);
    let target = c.target_hedge().to_num::<u64>();
    let p = pool(100_000 * USDC, target + ONE / 2);
    assert_eq!(code(plan(&p, &c, fx("150"), 1000)), u32::from(OptionsError::RebalanceNotDue));
    let mut p = pool(100_000 * USDC, 0);
    p.last_rebalance_ts = 950;
    assert_eq!(code(plan(&p, &c, fx("150"), 1000)), u32::from(OptionsError::RebalanceCooldown));
    assert!(plan(&p, &c, fx("150"), 1010).is_ok(), "cooldown over");
}

#[test]
fn short_puts_sell_the_hedge_down_to_zero_and_no_further() {
    let c = cache("150", Kind::Put, 10 * ONE);
    assert_eq!(c.target_hedge(), 0);
    let p = pool(100_000 * USDC, 3 * ONE);
    let plan = plan(&p, &c, fx("150"), 1000).unwrap();
    assert_eq!((plan.side, plan.underlying), (HedgeSide::SellUnderlying, 3 * ONE));
    // 3 SOL at 150 x 0.99, rounded down
    assert_eq!(plan.quote_bound, 445_500_000);
}

#[test]
fn max_trade_splits_large_hedges_and_cash_limits_buys() {
    let mut p = pool(100_000 * USDC, 0);
    p.params.hedge.max_trade = 2 * ONE;
    let c = cache("150", Kind::Call, 10 * ONE);
    assert_eq!(plan(&p, &c, fx("150"), 1000).unwrap().underlying, 2 * ONE);
    // 151.5 USDC of spare cash buys at most 1 SOL at the bound price
    let mut p = pool(151_500_000 + 5 * USDC, 0);
    p.reserved_payouts = 5 * USDC;
    let pl = plan(&p, &c, fx("150"), 1000).unwrap();
    assert_eq!(pl.underlying, ONE);
    assert!(pl.quote_bound <= 151_500_000);
    let p = pool(0, 0);
    assert_eq!(code(plan(&p, &c, fx("150"), 1000)), u32::from(OptionsError::InsufficientQuoteInVault));
}

#[test]
fn settled_payouts_the_vault_cannot_cover_force_a_sale() {
    // no options left (target 0) but the hedge is inside the band; the
    // quote vault is 100 USDC short of what settled holders are owed
    let mut c = cache("150", Kind::Call, 0);
    c.aggregate(1000, Decimals { underlying: 9, quote: 6 }).unwrap();
    let mut p = pool(0, ONE / 2);
    p.reserved_payouts = 50 * USDC;
    let pl = plan(&p, &c, fx("150"), 1000).unwrap();
    assert!(pl.funds_payouts);
    assert_eq!(pl.side, HedgeSide::SellUnderlying);
    // 50 USDC at the worst allowed price (148.5) needs 0.336700337 SOL
    assert_eq!(pl.underlying, 336_700_337);
    assert!(pl.quote_bound >= 50 * USDC);
}

#[test]
fn whalley_wilmott_trades_to_the_band_edge() {
    let mut p = pool(1_000_000 * USDC, 0);
    p.params.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 1_000_000 };
    p.params.hedge.min_band = 1;
    let c = cache("150", Kind::Call, 100 * ONE);
    let pl = plan(&p, &c, fx("150"), 1000).unwrap();
    let (policy, limits) = policy(&p.params.hedge, p.decimals()).unwrap();
    let gamma_whole = c.net_gamma.get() / I80F48::from_num(ONE);
    let h = options_math::hedge::whalley_wilmott_half_width(
        match policy {
            HedgePolicy::WhalleyWilmott { cost, .. } => cost,
            _ => unreachable!(),
        },
        I80F48::ONE,
        fx("150"),
        gamma_whole,
        c.gamma_weighted_tau.get(),
        I80F48::ZERO,
    )
    .unwrap();
    assert!(limits.min_band < h);
    // the hedge stops at the lower edge, target - H, not at the target
    let expected = ((c.target_hedge() - h * I80F48::from_num(ONE)).to_num::<i128>()) as u64;
    assert!((pl.underlying as i64 - expected as i64).abs() <= 2, "{} vs {expected}", pl.underlying);
    assert!(pl.underlying < c.target_hedge().to_num::<u64>());
}

#[test]
fn a_hedge_left_after_the_last_series_is_unwound_even_inside_the_band() {
    let mut c = cache("150", Kind::Call, 0);
    c.remove_series(0);
    c.aggregate(1000, Decimals { underlying: 9, quote: 6 }).unwrap();
    // 0.05 SOL is far inside the 1 SOL band
    let p = pool(0, ONE / 20);
    let pl = plan(&p, &c, fx("150"), 1000).unwrap();
    assert_eq!((pl.side, pl.underlying), (HedgeSide::SellUnderlying, ONE / 20));
    // while a series is live, the same hedge inside the band stays put
    let c = cache("150", Kind::Call, 0);
    assert_eq!(code(plan(&p, &c, fx("150"), 1000)), u32::from(OptionsError::RebalanceNotDue));
}

const D: Decimals = Decimals { underlying: 9, quote: 6 };

fn cost_benefit(expiry_aware: bool) -> HedgePolicyConfig {
    HedgePolicyConfig::CostBenefit { cost_bps: 30, risk_aversion_ppm: 1_000, terminal_bps: 10_000, expiry_aware }
}

/// A book on two boards at spot 150, now = 1000: `near_days` and 30
/// days out; (strike, kind, board, short) per series.
fn two_boards(near_days: i64, series: &[(&str, Kind, usize, u64)]) -> Box<GreekCache> {
    let mut c = Box::new(GreekCache::zeroed());
    let expiries = [1000 + near_days * DAY, 1000 + 30 * DAY];
    let ivs = [fx("0.9"), fx("0.7")];
    for &(strike, kind, board, short) in series {
        let slot =
            c.add_series(Pubkey::new_unique(), fx(strike), expiries[board], kind, ivs[board], fx("1.1")).unwrap();
        c.entries[slot as usize].net_short = short;
    }
    c.refresh(fx("150"), 1000, I80F48::ZERO, D).unwrap();
    c
}

/// A planned size within a base unit of `want` (the whole-unit
/// conversions truncate at 2^-48 of a unit; sizes round up).
fn near(size: u64, want: I80F48) -> bool {
    (I80F48::from_num(size) - want).abs() <= 1
}

fn buckets_of(c: &GreekCache, now: i64) -> Vec<ExpiryBucket> {
    let mut out = [NO_BUCKET; MAX_BOARDS];
    let n = expiry_buckets(c, now, D, &mut out).unwrap();
    out[..n].to_vec()
}

#[test]
fn expiry_buckets_sum_each_boards_live_series_in_whole_units() {
    let mut c = two_boards(
        7,
        &[
            ("150", Kind::Call, 0, 10 * ONE),
            ("160", Kind::Call, 1, 20 * ONE),
            ("140", Kind::Put, 0, 5 * ONE),
            ("155", Kind::Call, 0, 0), // open but not short: adds nothing
        ],
    );
    // a third board whose only series the pool is not short of: no bucket
    c.add_series(Pubkey::new_unique(), fx("150"), 1000 + 90 * DAY, Kind::Call, fx("0.8"), fx("1")).unwrap();
    c.refresh(fx("150"), 1000, I80F48::ZERO, D).unwrap();
    let b = buckets_of(&c, 1000);
    assert_eq!(b.len(), 2, "{b:?}");
    let sum = |board: u8, f: fn(&CacheEntry) -> I80F48| {
        c.entries
            .iter()
            .filter(|e| e.live != 0 && e.board == board)
            .map(|e| I80F48::from_num(e.net_short) * f(e))
            .sum::<I80F48>()
    };
    for (i, bucket) in b.iter().enumerate() {
        let board = i as u8;
        assert_eq!(bucket.delta, D.underlying_whole(sum(board, |e| e.delta.get())).unwrap());
        assert_eq!(bucket.gamma, D.underlying_whole(sum(board, |e| e.gamma.get())).unwrap());
        assert_eq!(bucket.tau_years, t_years(c.boards[i].expiry, 1000));
        assert_eq!(bucket.vol, c.boards[i].base_iv.get());
    }
    // board 0: short 10 calls (+) and 5 puts (-) at 150 / 140, 7 days
    let (near, far) = (b[0], b[1]);
    assert!(near.delta > fx("2") && near.delta < fx("6"), "{near:?}");
    assert!(far.delta > fx("5") && far.delta < fx("15"), "{far:?}");
    assert!(near.gamma > 0 && far.gamma > 0 && near.tau_years < far.tau_years);
    assert_eq!((near.vol, far.vol), (fx("0.9"), fx("0.7")));
    // the buckets' sums are the cache's aggregates, board by board
    let total_gamma = D.underlying_whole(c.net_gamma.get()).unwrap();
    assert!((near.gamma + far.gamma - total_gamma).abs() <= I80F48::from_bits(2), "{b:?} vs {total_gamma}");
    // a board whose series are gone adds no bucket
    let mut freed = c.clone();
    let slots: Vec<usize> = freed.live_slots().filter(|&i| freed.entries[i].board == 0).collect();
    for i in slots {
        freed.remove_series(i);
    }
    assert_eq!(buckets_of(&freed, 1000), vec![far]);
}

#[test]
fn a_cost_benefit_plan_trades_to_the_crossed_edge() {
    let mut p = pool(1_000_000 * USDC, 0);
    p.params.hedge.policy = cost_benefit(false);
    p.params.hedge.min_band = 1;
    let c = two_boards(7, &[("150", Kind::Call, 0, 40 * ONE), ("150", Kind::Call, 1, 100 * ONE)]);
    let (policy, limits) = policy(&p.params.hedge, p.decimals()).unwrap();
    assert_eq!(
        policy,
        HedgePolicy::CostBenefit(CostBenefit {
            cost: bps(30),
            risk_aversion: options_math::units::div_by_int(I80F48::from_num(1000), 1_000_000),
            terminal: I80F48::ONE,
            expiry_aware: false,
            fixed_cost: D.quote_whole(I80F48::from_num(p.params.hedge.keeper_reward_fixed)).unwrap(),
        })
    );
    let inputs = HedgeInputs {
        hedge: I80F48::ZERO,
        target: D.underlying_whole(c.target_hedge()).unwrap(),
        gamma: I80F48::ZERO,
        spot: fx("150"),
        tau_years: I80F48::ZERO,
        rate: I80F48::ZERO,
        buckets: &buckets_of(&c, 1000),
    };
    let want = options_math::hedge::band(&policy, &limits, &inputs).unwrap();
    assert_eq!(want.below, want.above, "not expiry-aware: symmetric");
    assert!(want.below > fx("1"), "{want:?}");
    let pl = plan(&p, &c, fx("150"), 1000).unwrap();
    let below = D.underlying_base(want.below).unwrap();
    assert_eq!(pl.side, HedgeSide::BuyUnderlying);
    assert_eq!(pl.band, below, "the crossed side");
    assert_eq!(current_band(&p, &c, fx("150"), 1000).unwrap(), Band::symmetric(below));
    // from zero to the lower edge, the size rounded up to a base unit
    assert!(near(pl.underlying, c.target_hedge() - below), "{} vs {}", pl.underlying, c.target_hedge() - below);
    // over-hedged: sells down to the upper edge
    let over = (c.target_hedge() + below * 2).to_num::<u64>();
    let p2 = Pool { hedge_balance: over, ..p };
    let pl = plan(&p2, &c, fx("150"), 1000).unwrap();
    assert_eq!(pl.side, HedgeSide::SellUnderlying);
    let left = I80F48::from_num(over - pl.underlying) - c.target_hedge();
    assert!((left - below).abs() <= 1, "{left} vs {below}");
}

#[test]
fn retrace_moves_the_plans_goal_part_of_the_way_back_to_the_target() {
    let c = two_boards(7, &[("150", Kind::Call, 0, 40 * ONE), ("150", Kind::Call, 1, 100 * ONE)]);
    let mut p = pool(1_000_000 * USDC, 0);
    p.params.hedge.policy = cost_benefit(true);
    p.params.hedge.min_band = 1;
    let edge = plan(&p, &c, fx("150"), 1000).unwrap();
    p.params.hedge.retrace_bps = 2_500;
    let pl = plan(&p, &c, fx("150"), 1000).unwrap();
    // a quarter of the crossed side's width closer to the target
    assert_eq!(pl.band, edge.band);
    let want = c.target_hedge() - edge.band * fx("0.75");
    assert!((I80F48::from_num(pl.underlying) - want).abs() <= 1, "{} vs {want}", pl.underlying);
    // all the way back: the target (to a base unit)
    p.params.hedge.retrace_bps = 10_000;
    let pl = plan(&p, &c, fx("150"), 1000).unwrap();
    assert!(near(pl.underlying, c.target_hedge()));
    // WW takes the same retrace
    p.params.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 1_000 };
    assert!(near(plan(&p, &c, fx("150"), 1000).unwrap().underlying, c.target_hedge()));
}

#[test]
fn the_expiry_aware_allowance_keeps_a_near_expiry_boards_delta_unhedged() {
    // 40 calls settling in 3 hours (delta ~20; allowance 0.003 / (0.15 x
    // 0.81 x 3/8760) ~ 72 SOL) next to 100 settling in 30 days
    let mut c = two_boards(1, &[("150", Kind::Call, 0, 40 * ONE), ("150", Kind::Call, 1, 100 * ONE)]);
    let now = 1000 + DAY - 3 * 3600;
    c.refresh(fx("150"), now, I80F48::ZERO, D).unwrap();
    let b = buckets_of(&c, now);
    assert!(b[0].delta > fx("15") && b[0].delta < fx("25"), "{b:?}");
    let mut p = pool(1_000_000 * USDC, 0);
    p.params.hedge.policy = cost_benefit(true);
    p.params.hedge.min_band = 1;
    let aware = current_band(&p, &c, fx("150"), now).unwrap();
    // the near board's whole delta widens the side below, less the
    // quarter of the core it overlaps
    let near_delta = D.underlying_base(b[0].delta).unwrap();
    let extension = near_delta - aware.above / 4;
    assert!(extension > I80F48::from_num(ONE), "{aware:?} vs {near_delta}: the case must extend the band");
    assert!((aware.below - aware.above - extension).abs() <= 1, "{aware:?} vs {near_delta}");
    // ...and the core is the far board's alone
    let mut far_only = two_boards(1, &[("150", Kind::Call, 1, 100 * ONE)]);
    far_only.refresh(fx("150"), now, I80F48::ZERO, D).unwrap();
    let far = current_band(&p, &far_only, fx("150"), now).unwrap();
    assert!((aware.above - far.above).abs() <= 1, "{aware:?} vs {far:?}");
    // a hedge short of the target by the extended side less a hundredth
    // stays put; from zero, the plan leaves exactly that unhedged
    let just_inside = (c.target_hedge() - aware.below + I80F48::from_num(ONE / 100)).to_num::<u64>();
    let inside = Pool { hedge_balance: just_inside, ..p.clone() };
    assert_eq!(code(plan(&inside, &c, fx("150"), now)), u32::from(OptionsError::RebalanceNotDue));
    let pl = plan(&p, &c, fx("150"), now).unwrap();
    assert_eq!(pl.band, aware.below);
    assert!(near(pl.underlying, c.target_hedge() - aware.below));
    // the same distance on the other side of the target trades
    let over = (c.target_hedge() + aware.below - I80F48::from_num(ONE / 100)).to_num::<u64>();
    let pl = plan(&Pool { hedge_balance: over, ..p.clone() }, &c, fx("150"), now).unwrap();
    assert_eq!(pl.band, aware.above);
}

#[test]
fn an_unbounded_cost_benefit_band_still_funds_settled_payouts() {
    // at the book's last expiry the terminal term is unbounded (no trade
    // can pay for itself): no policy trade, but quote owed to settled
    // holders is still raised
    let c = two_boards(1, &[("150", Kind::Call, 0, 40 * ONE)]);
    let at_expiry = 1000 + DAY;
    let mut p = pool(0, 30 * ONE);
    p.params.hedge.policy = cost_benefit(true);
    let band = current_band(&p, &c, fx("150"), at_expiry).unwrap();
    assert_eq!(band, Band::symmetric(I80F48::MAX), "saturated, not an error");
    assert_eq!(code(plan(&p, &c, fx("150"), at_expiry)), u32::from(OptionsError::RebalanceNotDue));
    p.reserved_payouts = 150 * USDC;
    let pl = plan(&p, &c, fx("150"), at_expiry).unwrap();
    assert!(pl.funds_payouts);
    assert_eq!((pl.side, pl.band), (HedgeSide::SellUnderlying, I80F48::MAX));
    // 150 USDC at the worst allowed price (148.5), rounded up
    assert_eq!(pl.underlying, 1_010_101_011);
}

#[test]
fn keeper_reward_is_fixed_plus_bps_capped_and_funded() {
    let mut cfg = sane().hedge;
    cfg.keeper_reward_fixed = 100_000;
    cfg.keeper_reward_bps = 5;
    cfg.keeper_reward_cap = 1_000_000;
    assert_eq!(keeper_reward(&cfg, 1_000 * USDC, u64::MAX), 100_000 + 500_000);
    assert_eq!(keeper_reward(&cfg, 10_000 * USDC, u64::MAX), 1_000_000);
    assert_eq!(keeper_reward(&cfg, 10_000 * USDC, 7), 7);
    // the hard bound: 50 bps of the notional whatever the pool's cap and
    // fixed part (an admin-set u64::MAX pays 0.5% of a real swap, no more)
    cfg.keeper_reward_fixed = u64::MAX;
    cfg.keeper_reward_cap = u64::MAX;
    assert_eq!(keeper_reward(&cfg, 1_000 * USDC, u64::MAX), 5 * USDC);
    assert_eq!(keeper_reward(&cfg, 0, u64::MAX), 0);
}
