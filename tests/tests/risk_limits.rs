//! Risk-aware quotes (issue 18) on the bank: the per-expiry vega and cash
//! gamma caps at their edges (the room the client shows passes, one base
//! unit more is refused with the cap's own code and changes nothing,
//! closing trades always pass), the hedge-cost fee charged by the program
//! exactly as quoted, and the surface relaxing between trades.
#[macro_use]
mod common;

use common::*;
use oamm_sdk::pda::SeriesKeys;
use options_amm::error::OptionsError;
use options_amm::manager::limits::{self, Room};
use options_amm::state::{HedgePolicyConfig, Kind, Series};
use options_math::amm::Side;
use options_math::units::Rounding;
use options_math::I80F48;

const EXPIRY: i64 = T0 + 7 * DAY;

/// The room the program would see for a trade in `s` now.
async fn room(w: &mut World, s: &SeriesKeys) -> Room {
    let series: Series = w.m.series(&mut w.bank, s).await.unwrap();
    let (pool, cache, seen) = observed(w).await;
    let slot = series.cache_index as usize;
    let d = pool.decimals();
    let exposure = limits::board_exposure(&cache, cache.entries[slot].board, seen.spot, d).unwrap();
    // the NAV a trade sees: at the mark, no LP-flow adjustments
    let nav = options_amm::manager::nav::pool_nav(&pool, &cache, Rounding::Down).unwrap() as u64;
    let unit = limits::per_base_unit(&cache, slot, seen.spot, d).unwrap();
    limits::room(exposure, unit, pool.params.risk.board_caps(nav))
}

/// Lower the caps (None keeps one as it is).
async fn set_caps(w: &mut World, vega_bps: Option<u16>, cash_gamma_bps: Option<u16>) {
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    let r = &mut params.risk;
    r.max_board_vega_bps = vega_bps.unwrap_or(r.max_board_vega_bps);
    r.max_board_cash_gamma_bps = cash_gamma_bps.unwrap_or(r.max_board_cash_gamma_bps);
    // lowering a cap is a tightening: it applies at once
    w.m.update_params(&mut w.bank, params).await.unwrap();
}

/// One cap binding (the other at its default, far away): the room passes, one base
/// unit more is refused with `expected`, sells pass, and once the cap is
/// tightened below the book, buys on that expiry are refused while another
/// expiry still trades.
async fn cap_edge(vega_bps: Option<u16>, cash_gamma_bps: Option<u16>, expected: OptionsError) {
    let mut w = world().await;
    // ~8.3 USDC of vega and ~5.4 of cash gamma per 7-day ATM call: 4 bps of
    // 500k NAV (200 USDC) fits ~24 of them, 3 bps (150 USDC) ~27
    set_caps(&mut w, vega_bps, cash_gamma_bps).await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let later = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY + 7 * DAY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let mine = wallet(&mut w, &mut t, &[call, later]).await;

    w.m.buy(&mut w.bank, &mut t, &call, 5 * SOL, u64::MAX).await.unwrap();
    let r = room(&mut w, &call).await;
    assert!(r.contracts > 10 * SOL && r.contracts < 40 * SOL, "{r:?}");
    refused!(
        w.bank,
        watch(&w, &mine),
        code(expected),
        w.m.buy(&mut w.bank, &mut t, &call, r.contracts + 1, u64::MAX).await
    );
    w.m.buy(&mut w.bank, &mut t, &call, r.contracts, u64::MAX).await.unwrap();

    // closing trades always pass
    w.m.sell(&mut w.bank, &mut t, &call, SOL, 0).await.unwrap();

    // a cap tightened below the book: buys on this expiry are refused, a
    // sell still passes, and another expiry has its own cap
    set_caps(&mut w, vega_bps.map(|_| 2), cash_gamma_bps.map(|_| 2)).await;
    assert_eq!(room(&mut w, &call).await.contracts, 0);
    refused!(w.bank, watch(&w, &mine), code(expected), w.m.buy(&mut w.bank, &mut t, &call, 1, u64::MAX).await);
    w.m.sell(&mut w.bank, &mut t, &call, SOL, 0).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &later, SOL, u64::MAX).await.unwrap();
    check_books(&mut w, &[call, later]).await;
}

#[tokio::test]
async fn the_vega_cap_admits_its_room_and_refuses_one_unit_more() {
    cap_edge(Some(4), None, OptionsError::BoardVegaCapExceeded).await;
}

#[tokio::test]
async fn the_cash_gamma_cap_admits_its_room_and_refuses_one_unit_more() {
    cap_edge(None, Some(3), OptionsError::BoardCashGammaCapExceeded).await;
}

#[tokio::test]
async fn a_whalley_wilmott_pool_charges_the_hedge_cost_fee_it_quotes() {
    let mut w = world().await;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    // the hedge schedule applies at once; the fee parameters are the defaults
    params.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 1_000 };
    w.m.update_params(&mut w.bank, params).await.unwrap();
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();

    let q = expected_quote(&mut w, &call, Side::Buy, 20 * SOL).await;
    assert!(q.hedge_fee > 0, "a buy adds gamma: {q:?}");
    let before = balance(&mut w.bank, t.quote).await;
    w.m.buy(&mut w.bank, &mut t, &call, 20 * SOL, q.total).await.unwrap();
    assert_eq!(before - balance(&mut w.bank, t.quote).await, q.total);

    let s = expected_quote(&mut w, &call, Side::Sell, 10 * SOL).await;
    assert!(s.hedge_fee < 0, "a sell removes gamma: a discount {s:?}");
    let before = balance(&mut w.bank, t.quote).await;
    w.m.sell(&mut w.bank, &mut t, &call, 10 * SOL, s.total).await.unwrap();
    assert_eq!(balance(&mut w.bank, t.quote).await - before, s.total);
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn the_surface_relaxes_a_half_life_later_and_a_trade_keeps_its_impact() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let listing = w.m.cache(&mut w.bank).await.unwrap().boards[0].base_iv.get();
    // the trade's own impact is exactly the unrelaxed one: a standard size
    // is one vol point per 5 contracts
    let q = expected_quote(&mut w, &call, Side::Buy, 50 * SOL).await;
    w.m.buy(&mut w.bank, &mut t, &call, 50 * SOL, u64::MAX).await.unwrap();
    let lifted = w.m.cache(&mut w.bank).await.unwrap().boards[0].base_iv.get();
    assert_eq!(lifted, q.iv.base_iv);
    assert!((lifted - listing - I80F48::from_num(0.1)).abs() <= I80F48::DELTA, "ten vol points: {listing} -> {lifted}");

    let half_life = w.m.pool(&mut w.bank).await.unwrap().params.vol.relax_half_life_s as i64;
    w.bank.advance(half_life);
    w.m.post_price(&mut w.bank, w.m.spot_e8);
    w.m.refresh(&mut w.bank).await.unwrap();
    let relaxed = w.m.cache(&mut w.bank).await.unwrap().boards[0].base_iv.get();
    let half = listing + (lifted - listing) / 2;
    assert!((relaxed - half).abs() < I80F48::from_num(1e-12), "{listing} -> {lifted} -> {relaxed}");
    check_books(&mut w, &[call]).await;
}
