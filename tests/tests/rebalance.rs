//! `rebalance`, natively with both programs in one bank: the pool hedges its
//! net delta on the spot venue by CPI, bounded by the oracle price.
mod common;

use common::*;
use oamm_sdk::ix;
use oamm_sdk::market::{Actor, MarketConfig};
use options_amm::error::OptionsError;
use options_amm::manager::hedge::{current_band, keeper_reward, HedgeSide, RebalancePlan};
use options_amm::state::{GreekCache, HedgePolicyConfig, Kind};
use options_math::hedge::Band;
use options_math::I80F48;
use spot_venue::math::{swap_exact_in, swap_exact_out};

/// hedge - B* at the current oracle price, underlying base units.
async fn pool_delta(w: &mut World) -> I80F48 {
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    let mut cache = w.m.cache(&mut w.bank).await.unwrap();
    cache.refresh(spot(&w.m), w.bank.now(), pool.params.vol.rate(), pool.decimals()).unwrap();
    I80F48::from_num(pool.hedge_balance) - cache.target_hedge()
}

async fn keeper(w: &mut World) -> Actor {
    w.m.new_actor(&mut w.bank, 0).await.unwrap()
}

/// Run a rebalance and check every token movement to the unit against the
/// plan, the venue's maths and the reward rule; returns the plan and the
/// swap's cost against the oracle price (quote base units, >= 0 is a loss).
async fn rebalance_exactly(w: &mut World, k: &Actor) -> (RebalancePlan, i128) {
    let p = expected_plan(w).await.expect("a rebalance is due");
    let venue = w.m.venue_pool(&mut w.bank).await.unwrap();
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    let (qv, hv) = (w.m.keys.quote_vault, w.m.keys.hedge_vault);
    let (q0, h0, k0) =
        (balance(&mut w.bank, qv).await, balance(&mut w.bank, hv).await, balance(&mut w.bank, k.quote).await);
    w.m.rebalance(&mut w.bank, k).await.unwrap();
    let (q1, h1, k1) =
        (balance(&mut w.bank, qv).await, balance(&mut w.bank, hv).await, balance(&mut w.bank, k.quote).await);
    let d = pool.decimals();
    let spot = spot(&w.m);
    let (quote_moved, cost) = match p.side {
        HedgeSide::BuyUnderlying => {
            let o = swap_exact_out(venue.reserve_quote, venue.reserve_base, p.underlying, venue.fee_bps).unwrap();
            assert_eq!(h1 - h0, p.underlying, "bought exactly the planned underlying");
            assert!(o.amount_in <= p.quote_bound, "paid within the oracle bound");
            let fair = d.quote_value(spot, p.underlying, options_math::units::Rounding::Down).unwrap();
            (o.amount_in, o.amount_in as i128 - fair as i128)
        }
        HedgeSide::SellUnderlying => {
            let o = swap_exact_in(venue.reserve_base, venue.reserve_quote, p.underlying, venue.fee_bps).unwrap();
            assert_eq!(h0 - h1, p.underlying, "sold exactly the planned underlying");
            assert!(o.amount_out >= p.quote_bound, "received within the oracle bound");
            let fair = d.quote_value(spot, p.underlying, options_math::units::Rounding::Down).unwrap();
            (o.amount_out, fair as i128 - o.amount_out as i128)
        }
    };
    let cash_after_swap = match p.side {
        HedgeSide::BuyUnderlying => pool.quote_balance - quote_moved,
        HedgeSide::SellUnderlying => pool.quote_balance + quote_moved,
    };
    let reward = keeper_reward(&pool.params.hedge, quote_moved, cash_after_swap - pool.reserved_payouts);
    assert_eq!(k1 - k0, reward, "keeper reward");
    match p.side {
        HedgeSide::BuyUnderlying => assert_eq!(q0 - q1, quote_moved + reward),
        HedgeSide::SellUnderlying => assert_eq!(q1 + reward - q0, quote_moved),
    }
    let after = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!((after.last_rebalance_ts, after.rebalance_count), (w.bank.now(), pool.rebalance_count + 1));
    (p, cost)
}

#[tokio::test]
async fn short_calls_are_hedged_by_buying_and_a_rally_buys_more() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 40 * SOL, u64::MAX).await.unwrap();
    let k = keeper(&mut w).await;

    let (p, _) = rebalance_exactly(&mut w, &k).await;
    assert_eq!(p.side, HedgeSide::BuyUnderlying);
    let delta = pool_delta(&mut w).await;
    assert!(delta.abs() <= p.band, "after the rebalance |hedge - B*| = {delta} > band {}", p.band);
    check_books(&mut w, &[call]).await;

    // nothing due right after (once the cooldown is over): a specific error, nothing changes, no reward
    let before = balance(&mut w.bank, k.quote).await;
    expect_err(w.m.rebalance(&mut w.bank, &k).await, OptionsError::RebalanceCooldown);
    w.bank.advance(60);
    w.m.post_price(&mut w.bank, w.m.spot_e8);
    expect_err(w.m.rebalance(&mut w.bank, &k).await, OptionsError::RebalanceNotDue);
    assert_eq!(balance(&mut w.bank, k.quote).await, before);

    // the price rallies: the calls' delta grows, the pool buys more
    w.bank.advance(HOUR);
    w.m.post_price(&mut w.bank, 165_00000000);
    let (p2, _) = rebalance_exactly(&mut w, &k).await;
    assert_eq!(p2.side, HedgeSide::BuyUnderlying);
    assert!(pool_delta(&mut w).await.abs() <= p2.band);
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn short_puts_sell_the_hedge_down_to_zero_and_leave_the_rest_unhedgeable() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let put = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Put).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let k = keeper(&mut w).await;
    w.m.buy(&mut w.bank, &mut t, &call, 30 * SOL, u64::MAX).await.unwrap();
    rebalance_exactly(&mut w, &k).await;
    assert!(w.m.pool(&mut w.bank).await.unwrap().hedge_balance > 10 * SOL);

    // the calls come back and puts go out: B* falls below zero, clamps at 0
    w.m.sell(&mut w.bank, &mut t, &call, 30 * SOL, 0).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &put, 30 * SOL, u64::MAX).await.unwrap();
    w.bank.advance(HOUR);
    w.m.post_price(&mut w.bank, 150_00000000);
    let (p, _) = rebalance_exactly(&mut w, &k).await;
    assert_eq!(p.side, HedgeSide::SellUnderlying);
    assert_eq!(p.target, 0);
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().hedge_balance, 0, "sold down to zero, not short");
    let cache = w.m.cache(&mut w.bank).await.unwrap();
    assert!(cache.unhedgeable_delta() > 10 * SOL, "the puts' delta is reported unhedgeable");
    // and with nothing left to sell, no rebalance is due
    w.bank.advance(HOUR);
    w.m.post_price(&mut w.bank, 150_00000000);
    expect_err(w.m.rebalance(&mut w.bank, &k).await, OptionsError::RebalanceNotDue);
    check_books(&mut w, &[call, put]).await;
}

fn ww(cost_bps: u16, risk_aversion_ppm: u64) -> HedgePolicyConfig {
    HedgePolicyConfig::WhalleyWilmott { cost_bps, risk_aversion_ppm }
}

async fn ww_world(policy: HedgePolicyConfig) -> World {
    // a venue deep enough that its per-call cap (depth x fee / 2 = 300 SOL)
    // does not stop a to-the-edge trade
    let cfg = MarketConfig { venue_depth_underlying: 200_000 * SOL, ..MarketConfig::default() };
    let mut w = world_with(cfg, 500_000 * USDC).await;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.hedge.policy = policy;
    params.hedge.min_band = 1;
    w.m.update_params(&mut w.bank, params).await.unwrap();
    w
}

#[tokio::test]
async fn whalley_wilmott_band_follows_gamma_and_cost_and_trades_stop_at_the_edge() {
    // the band from the program's plan for one book under different policies
    async fn band_for(policy: HedgePolicyConfig, contracts: u64) -> (World, RebalancePlan) {
        let mut w = ww_world(policy).await;
        let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
        let mut t = w.m.new_actor(&mut w.bank, 200_000 * USDC).await.unwrap();
        w.m.buy(&mut w.bank, &mut t, &call, contracts, u64::MAX).await.unwrap();
        let p = expected_plan(&mut w).await.unwrap();
        (w, p)
    }
    let (mut w, base) = band_for(ww(30, 1_000), 100 * SOL).await;
    let (_, lower_gamma) = band_for(ww(30, 1_000), 50 * SOL).await;
    let (_, higher_cost) = band_for(ww(60, 1_000), 100 * SOL).await;
    assert!(lower_gamma.band < base.band, "band shrinks with gamma: {} vs {}", lower_gamma.band, base.band);
    assert!(higher_cost.band > base.band, "band grows with cost: {} vs {}", higher_cost.band, base.band);
    // H ~ cost^(1/3): doubling the cost widens the band by 2^(1/3)
    let ratio = higher_cost.band / base.band;
    assert!((ratio - I80F48::from_num(1.259921f64)).abs() < I80F48::from_num(1e-5f64), "ratio {ratio}");

    // trade to the edge: the hedge stops at B* - H, not at B*
    let k = keeper(&mut w).await;
    let (p, _) = rebalance_exactly(&mut w, &k).await;
    let delta = pool_delta(&mut w).await;
    assert!(
        delta < 0 && (delta + p.band).abs() <= I80F48::from_num(2),
        "stopped at the edge: delta {delta}, band {}",
        p.band
    );
}

fn cost_benefit(expiry_aware: bool) -> HedgePolicyConfig {
    HedgePolicyConfig::CostBenefit { cost_bps: 30, risk_aversion_ppm: 1_000, terminal_bps: 10_000, expiry_aware }
}

/// The program's band now, both sides (underlying base units).
async fn band_now(w: &mut World) -> Band {
    let (pool, cache, seen) = observed(w).await;
    current_band(&pool, &cache, seen.spot, w.bank.now()).unwrap()
}

/// The allowance of board `b` (whole SOL): cost / (risk aversion x S x
/// base IV^2 x tau), in floating point from the cache as the program sees it.
fn allowance_f64(cache: &GreekCache, b: usize, spot: f64, now: i64) -> f64 {
    let iv: f64 = cache.boards[b].base_iv.get().to_num();
    let tau = (cache.boards[b].expiry - now) as f64 / (365.0 * DAY as f64);
    0.003 / (0.001 * spot * iv * iv * tau)
}

#[tokio::test]
async fn a_cost_benefit_pool_rebalances_to_its_band_edge_with_the_planned_token_movements() {
    for retrace_bps in [0u16, 6_000] {
        let mut w = ww_world(cost_benefit(true)).await;
        let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
        params.hedge.retrace_bps = retrace_bps;
        w.m.update_params(&mut w.bank, params).await.unwrap();
        // two boards: ATM calls settling in 2 days and in 14
        let near = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 2 * DAY, Kind::Call).await.unwrap();
        let far = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 14 * DAY, Kind::Call).await.unwrap();
        let mut t = w.m.new_actor(&mut w.bank, 200_000 * USDC).await.unwrap();
        w.m.buy(&mut w.bank, &mut t, &near, 50 * SOL, u64::MAX).await.unwrap();
        w.m.buy(&mut w.bank, &mut t, &far, 100 * SOL, u64::MAX).await.unwrap();
        // 12 hours before the near expiry
        w.bank.advance(36 * 3600);
        w.m.post_price(&mut w.bank, 150_00000000);

        // the near board's ~+25 of delta is worth hedging only beyond its
        // allowance (~18 SOL); the side below the target is wider by what
        // the allowance adds beyond a quarter of the core
        let band = band_now(&mut w).await;
        let (_, cache, seen) = observed(&mut w).await;
        let allowance = allowance_f64(&cache, cache.entries[0].board as usize, seen.spot.to_num(), w.bank.now());
        assert!(allowance > 10.0 && allowance < 25.0, "{allowance}");
        let extension = allowance - band.above.to_num::<f64>() / SOL as f64 / 4.0;
        assert!(extension > 1.0, "{allowance} vs {band:?}: the case must extend the band");
        let extra = (band.below - band.above).to_num::<f64>() / SOL as f64;
        assert!((extra - extension).abs() < 1e-6 * extension, "extension {extra} vs {extension} (band {band:?})");

        let k = keeper(&mut w).await;
        let (p, _) = rebalance_exactly(&mut w, &k).await;
        assert_eq!(p.side, HedgeSide::BuyUnderlying);
        assert_eq!(p.band, band.below, "the plan reports the side it crossed");
        // from zero hedge the trade stops at the lower edge, or 60% of the
        // way back from it to the target (its size rounded up to a base unit)
        let keep = p.band - p.band * I80F48::from_num(retrace_bps) / I80F48::from_num(10_000);
        let delta = pool_delta(&mut w).await;
        assert!(
            delta < 0 && (delta + keep).abs() <= I80F48::from_num(2),
            "retrace {retrace_bps}: delta {delta}, want -{keep} (band {band:?})"
        );
        check_books(&mut w, &[near, far]).await;

        // the price dips: the target falls toward the hedge, inside the
        // band: not due, a specific error, nothing changes, no reward
        w.bank.advance(60);
        w.m.post_price(&mut w.bank, 149_00000000);
        let watched = watch(&w, &[w.m.venue.venue_pool, k.quote]);
        let before = snapshot(&mut w.bank, &watched).await;
        expect_err(w.m.rebalance(&mut w.bank, &k).await, OptionsError::RebalanceNotDue);
        assert_unchanged(&mut w.bank, &watched, &before).await;
    }
}

#[tokio::test]
async fn the_expiry_aware_band_leaves_a_near_expiry_boards_delta_unhedged() {
    // calls settling in 4 hours (listed a day out, then 20 hours pass) next
    // to a larger book in 14 days: the near board's delta (~20) fits in its
    // allowance (~60 SOL), so all of it waits for its expiry
    async fn book(w: &mut World) -> Vec<oamm_sdk::pda::SeriesKeys> {
        let near = w.m.list_series(&mut w.bank, 150 * USDC, T0 + DAY, Kind::Call).await.unwrap();
        let far = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 14 * DAY, Kind::Call).await.unwrap();
        let mut t = w.m.new_actor(&mut w.bank, 200_000 * USDC).await.unwrap();
        w.m.buy(&mut w.bank, &mut t, &near, 40 * SOL, u64::MAX).await.unwrap();
        w.m.buy(&mut w.bank, &mut t, &far, 100 * SOL, u64::MAX).await.unwrap();
        w.bank.advance(20 * 3600);
        w.m.post_price(&mut w.bank, 150_00000000);
        vec![near, far]
    }
    let mut aware = ww_world(cost_benefit(true)).await;
    let series = book(&mut aware).await;
    let mut flat = ww_world(cost_benefit(false)).await;
    book(&mut flat).await;
    let (a, f) = (band_now(&mut aware).await, band_now(&mut flat).await);
    let (_, cache, seen) = observed(&mut aware).await;
    let near_delta = I80F48::from_num(cache.entries[0].net_short) * cache.entries[0].delta.get();
    let allowance = allowance_f64(&cache, cache.entries[0].board as usize, seen.spot.to_num(), aware.bank.now());
    assert!(
        near_delta > 10 * SOL && near_delta.to_num::<f64>() < allowance * SOL as f64,
        "{near_delta} vs {allowance}"
    );
    // without the allowance the band is symmetric; with it, the side below
    // is wider by the near board's delta less the quarter of the core it
    // overlaps, and the board's gamma has left the core, so the side above
    // is narrower than the flat band
    assert_eq!(f.below, f.above);
    let extension = near_delta - a.above / 4;
    assert!(extension > SOL, "{a:?}, near delta {near_delta}: the case must extend the band");
    assert!((a.below - a.above - extension).abs() <= I80F48::from_num(1), "{a:?}, near delta {near_delta}");
    assert!(a.above < f.above, "{a:?} vs {f:?}");

    // from zero the aware pool buys to its lower edge: short of the target
    // by its core band and the extension, left for the expiry
    let k = keeper(&mut aware).await;
    let (p, _) = rebalance_exactly(&mut aware, &k).await;
    assert_eq!((p.side, p.band), (HedgeSide::BuyUnderlying, a.below));
    let unhedged = p.target - I80F48::from_num(p.underlying);
    assert!((unhedged - a.above - extension).abs() <= I80F48::from_num(2), "{unhedged} vs {a:?} + {extension}");
    check_books(&mut aware, &series).await;
    // the flat pool hedges the near delta too, to its symmetric edge
    let kf = keeper(&mut flat).await;
    let (pf, _) = rebalance_exactly(&mut flat, &kf).await;
    assert_eq!(pf.band, f.below);
    assert!((pf.target - I80F48::from_num(pf.underlying) - f.below).abs() <= I80F48::from_num(2));
}

#[tokio::test]
async fn a_manipulated_venue_price_makes_the_rebalance_revert_and_nothing_is_lost() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 40 * SOL, u64::MAX).await.unwrap();
    let k = keeper(&mut w).await;

    // someone buys the venue's underlying hard: its price is now ~10% above the oracle
    let whale = w.m.new_actor(&mut w.bank, 200_000 * USDC).await.unwrap();
    w.m.venue_swap(&mut w.bank, &whale, 150_000 * USDC, false).await.unwrap();
    let pool0 = w.m.pool(&mut w.bank).await.unwrap();
    let (q0, h0) = (balance(&mut w.bank, w.m.keys.quote_vault).await, balance(&mut w.bank, w.m.keys.hedge_vault).await);
    expect_err(w.m.rebalance(&mut w.bank, &k).await, OptionsError::SlippageExceeded);
    assert_eq!(balance(&mut w.bank, w.m.keys.quote_vault).await, q0);
    assert_eq!(balance(&mut w.bank, w.m.keys.hedge_vault).await, h0);
    assert_eq!(balance(&mut w.bank, k.quote).await, 0, "no reward without a swap");
    let pool1 = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!(
        (pool1.quote_balance, pool1.hedge_balance, pool1.last_rebalance_ts),
        (pool0.quote_balance, pool0.hedge_balance, 0)
    );

    // the manipulator sells back; the venue is near the oracle again and the rebalance runs
    let whale_sol = balance(&mut w.bank, whale.underlying).await;
    w.m.venue_swap(&mut w.bank, &whale, whale_sol, true).await.unwrap();
    rebalance_exactly(&mut w, &k).await;
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn a_venue_too_shallow_for_the_hedge_refuses_it_before_any_swap() {
    // 10 SOL of venue liquidity; 40 short ATM calls want ~20 SOL of hedge
    let cfg = MarketConfig { venue_depth_underlying: 10 * SOL, ..MarketConfig::default() };
    let mut w = world_with(cfg, 500_000 * USDC).await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 40 * SOL, u64::MAX).await.unwrap();
    let k = keeper(&mut w).await;
    // the venue's per-call cap (depth x fee / 2 = 0.015 SOL) is below the
    // pool's min band: the plan itself refuses instead of swapping dust
    assert!(options_amm::venue::hedge_cap(&w.m.venue_pool(&mut w.bank).await.unwrap()) < SOL / 10);
    match expected_plan(&mut w).await {
        Err(anchor_lang::error::Error::AnchorError(e)) => {
            assert_eq!(e.error_code_number, code(OptionsError::VenueCannotFill))
        }
        other => panic!("expected VenueCannotFill from the plan, got {other:?}"),
    }

    let watched = [w.m.keys.pool, w.m.keys.quote_vault, w.m.keys.hedge_vault, w.m.venue.venue_pool, k.quote];
    let before = snapshot(&mut w.bank, &watched).await;
    expect_err(w.m.rebalance(&mut w.bank, &k).await, OptionsError::VenueCannotFill);
    assert_unchanged(&mut w.bank, &watched, &before).await;
}

#[tokio::test]
async fn wrong_venue_accounts_cooldown_pause_and_stale_oracle_each_have_their_error() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 40 * SOL, u64::MAX).await.unwrap();
    let k = keeper(&mut w).await;
    let base = ix::rebalance(k.pubkey(), &w.m.keys, w.m.oracle, k.quote, &w.m.venue);
    let run = |acc| ix::ix(acc, ix::data::Rebalance {});

    // a program that is not the configured venue
    let mut acc = base;
    acc.venue_program = anchor_spl::token::ID;
    expect_err(w.bank.process(&[run(acc)], &[&k.key]).await, OptionsError::WrongVenueProgram);
    // a venue pool that is not the configured one (here: another market's)
    let other = oamm_sdk::market::Market::create(&mut w.bank, &MarketConfig::default()).await.unwrap();
    let mut acc = base;
    acc.venue_pool = other.venue.venue_pool;
    expect_err(w.bank.process(&[run(acc)], &[&k.key]).await, OptionsError::WrongVenuePool);
    // the configured pool with another pool's vaults, or its own vaults swapped
    let mut acc = base;
    acc.venue_base_vault = other.venue.base_vault;
    expect_err(w.bank.process(&[run(acc)], &[&k.key]).await, OptionsError::WrongVenueVault);
    let mut acc = base;
    (acc.venue_base_vault, acc.venue_quote_vault) = (w.m.venue.quote_vault, w.m.venue.base_vault);
    expect_err(w.bank.process(&[run(acc)], &[&k.key]).await, OptionsError::WrongVenueVault);

    // paused
    w.m.set_paused(&mut w.bank, options_amm::constants::PAUSE_REBALANCE).await.unwrap();
    expect_err(w.m.rebalance(&mut w.bank, &k).await, OptionsError::RebalancePaused);
    w.m.set_paused(&mut w.bank, 0).await.unwrap();

    // stale oracle: the last price is older than the pool's 60 s limit
    w.bank.advance(61);
    expect_err(w.m.rebalance(&mut w.bank, &k).await, OptionsError::OracleStale);
    w.m.post_price(&mut w.bank, 150_00000000);

    // cooldown: rebalance once, then move the price so one would be due again
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.hedge.cooldown_s = 600;
    w.m.update_params(&mut w.bank, params).await.unwrap();
    rebalance_exactly(&mut w, &k).await;
    w.bank.advance(300);
    w.m.post_price(&mut w.bank, 175_00000000);
    expect_err(w.m.rebalance(&mut w.bank, &k).await, OptionsError::RebalanceCooldown);
    w.bank.advance(301);
    w.m.post_price(&mut w.bank, 175_00000000);
    rebalance_exactly(&mut w, &k).await;
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn after_expiry_the_hedge_is_unwound_to_fund_payouts() {
    let mut w = world().await;
    let expiry = T0 + 3 * DAY;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, expiry, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let k = keeper(&mut w).await;
    w.m.buy(&mut w.bank, &mut t, &call, 50 * SOL, u64::MAX).await.unwrap();
    rebalance_exactly(&mut w, &k).await;
    w.bank.set_time(expiry + 60);
    w.m.post_price(&mut w.bank, 170_00000000);
    let arb = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    w.m.align_venue(&mut w.bank, &arb).await.unwrap();
    w.m.settle(&mut w.bank, &call).await.unwrap();
    // the series left B*: the next rebalance sells the whole hedge into quote
    let (p, _) = rebalance_exactly(&mut w, &k).await;
    assert_eq!((p.side, p.target), (HedgeSide::SellUnderlying, I80F48::ZERO));
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().hedge_balance, 0);
    let q0 = balance(&mut w.bank, t.quote).await;
    w.m.redeem(&mut w.bank, &mut t, &call, 50 * SOL).await.unwrap();
    assert_eq!(balance(&mut w.bank, t.quote).await - q0, 1_000 * USDC, "50 x (170 - 150)");
    check_books(&mut w, &[call]).await;
}

/// Deterministic pseudo-random numbers for the scenario (no dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn uniform(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Default, Debug)]
struct ScenarioStats {
    rebalances: u32,
    swap_cost: i128,
    max_abs_delta_after: I80F48,
    trades: u32,
}

/// 30 steps of 8 hours: trades on three series, a random price path, a
/// keeper that rebalances exactly when the client-side prediction says so,
/// expiry of the near series, settlement and redemption. After every
/// rebalance the pool's delta is inside the band (or the trade was capped
/// at max_trade); after every step the books balance.
async fn scenario(policy: HedgePolicyConfig, seed: u64) -> ScenarioStats {
    let mut w = world().await;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.hedge.policy = policy;
    w.m.update_params(&mut w.bank, params.clone()).await.unwrap();
    let near = T0 + 5 * DAY;
    let far = T0 + 20 * DAY;
    let series = [
        w.m.list_series(&mut w.bank, 150 * USDC, near, Kind::Call).await.unwrap(),
        w.m.list_series(&mut w.bank, 145 * USDC, near, Kind::Put).await.unwrap(),
        w.m.list_series(&mut w.bank, 160 * USDC, far, Kind::Call).await.unwrap(),
    ];
    let expiries = [near, near, far];
    let mut traders = Vec::new();
    for _ in 0..3 {
        traders.push(w.m.new_actor(&mut w.bank, 200_000 * USDC).await.unwrap());
    }
    let k = keeper(&mut w).await;
    let arb = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    let mut rng = Lcg(seed);
    let mut price = 150_00000000i64;
    let mut stats = ScenarioStats::default();
    let mut settled = false;
    for step in 0..30 {
        w.bank.advance(8 * HOUR);
        // +-4% moves
        let mv = rng.uniform(801) as i64 - 400;
        price = price * (10_000 + mv) / 10_000;
        w.m.post_price(&mut w.bank, price);
        w.m.align_venue(&mut w.bank, &arb).await.unwrap();

        if !settled && w.bank.now() >= near {
            for s in &series[..2] {
                w.m.settle(&mut w.bank, s).await.unwrap();
            }
            settled = true;
        }
        // two trades per step on series still open for trading
        for _ in 0..2 {
            let i = rng.uniform(3) as usize;
            if w.bank.now() >= expiries[i] - 12 * HOUR {
                continue;
            }
            let who = rng.uniform(3) as usize;
            let contracts = (1 + rng.uniform(20)) * SOL;
            let held = match traders[who].options.get(&series[i].option_mint) {
                Some(a) => balance(&mut w.bank, *a).await,
                None => 0,
            };
            let r = if rng.uniform(3) == 0 && held > 0 {
                w.m.sell(&mut w.bank, &mut traders[who], &series[i], held.min(contracts), 0).await
            } else {
                w.m.buy(&mut w.bank, &mut traders[who], &series[i], contracts, u64::MAX).await
            };
            // opening trades may be refused by the pool's risk rules; that is the rules working
            match r {
                Ok(()) => stats.trades += 1,
                Err(e) => {
                    let refused = [
                        OptionsError::DeltaOutOfBand,
                        OptionsError::SolvencyCheckFailed,
                        OptionsError::UnhedgedDeltaCapExceeded,
                    ]
                    .map(code);
                    assert!(e.code().is_some_and(|c| refused.contains(&c)), "step {step}: unexpected {e}");
                }
            }
        }
        // the keeper predicts with the program's own plan and acts on it
        match expected_plan(&mut w).await {
            Ok(_) => {
                let (p, cost) = rebalance_exactly(&mut w, &k).await;
                stats.rebalances += 1;
                stats.swap_cost += cost;
                let delta = pool_delta(&mut w).await;
                let capped = p.underlying == params.hedge.max_trade;
                assert!(
                    delta.abs() <= p.band || capped || p.funds_payouts,
                    "step {step}: delta {delta} band {}",
                    p.band
                );
                stats.max_abs_delta_after = stats.max_abs_delta_after.max(delta.abs());
            }
            Err(e) => {
                let not_due = anchor_lang::error::Error::from(OptionsError::RebalanceNotDue);
                assert_eq!(e, not_due, "step {step}: the keeper's prediction failed: {e}");
                expect_err(w.m.rebalance(&mut w.bank, &k).await, OptionsError::RebalanceNotDue);
            }
        }
        check_books(&mut w, &series).await;
    }
    assert!(settled);
    // every holder of the settled series redeems; they are paid exactly
    for tr in traders.iter_mut() {
        for s in &series[..2] {
            let Some(acct) = tr.options.get(&s.option_mint).copied() else { continue };
            let held = balance(&mut w.bank, acct).await;
            if held == 0 {
                continue;
            }
            let payoff = w.m.series(&mut w.bank, s).await.unwrap().payoff_per_contract();
            let expected = (payoff * I80F48::from_num(held) / I80F48::from_num(1000)).floor().to_num::<u64>();
            let q0 = balance(&mut w.bank, tr.quote).await;
            let r = w.m.redeem(&mut w.bank, tr, s, held).await;
            if let Err(e) = &r {
                // quote may sit in the hedge: the rebalance frees it, then the redemption pays
                assert_eq!(e.code(), Some(code(OptionsError::InsufficientQuoteInVault)), "{e}");
                w.m.post_price(&mut w.bank, price);
                w.m.rebalance(&mut w.bank, &k).await.unwrap();
                w.m.redeem(&mut w.bank, tr, s, held).await.unwrap();
            }
            assert!((balance(&mut w.bank, tr.quote).await - q0).abs_diff(expected) <= 1, "redemption pays the payoff");
        }
    }
    check_books(&mut w, &series).await;
    stats
}

#[tokio::test]
async fn thirty_step_scenario_keeps_the_delta_in_the_band_and_the_books_balanced() {
    let threshold = scenario(HedgePolicyConfig::DeltaThreshold { band: 5 * SOL }, 7).await;
    let ww = scenario(ww(30, 1_000), 7).await;
    for (name, s) in [("threshold 5 SOL", &threshold), ("whalley-wilmott 30 bps, lambda 0.001", &ww)] {
        println!(
            "30-step scenario, {name}: {} trades, {} rebalances, total swap cost {:.2} USDC, max |pool delta| after rebalancing {:.4} SOL",
            s.trades,
            s.rebalances,
            s.swap_cost as f64 / USDC as f64,
            s.max_abs_delta_after.to_num::<f64>() / SOL as f64
        );
        assert!(s.rebalances > 0 && s.trades > 10, "{name}: {s:?}");
    }
}
