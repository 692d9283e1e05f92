//! The options program's refusals, part 2: the limits on trades and LP
//! flows — slippage bounds, pauses, the trading cut-off, the delta band,
//! open-interest, solvency and unhedgeable-delta caps, wallets that cannot
//! pay, zero and overflow-size amounts, an insolvent pool. Each case expects
//! its exact error code, proves the refused transaction changed nothing,
//! and where a limit has an edge, shows the edge itself is accepted.
#[macro_use]
mod common;

use common::*;
use oamm_sdk::market::MarketConfig;
use oamm_sdk::pda::SeriesKeys;
use options_amm::constants::{PAUSE_ALL, PAUSE_LP, PAUSE_TRADING};
use options_amm::error::OptionsError;
use options_amm::manager::lp;
use options_amm::state::greek_cache::t_years;
use options_amm::state::Kind;
use options_math::amm::Side;
use options_math::units::Rounding;
use options_math::{price_and_greeks, MathError, I80F48};

const EXPIRY: i64 = T0 + 7 * DAY;

async fn lp_supply(w: &mut World) -> u64 {
    w.bank.mint_supply(&w.m.keys.lp_mint).await.unwrap()
}

// --------------------------------------------------------------- slippage

#[tokio::test]
async fn buy_and_sell_refuse_a_bound_one_unit_past_the_exact_quote() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let mine = wallet(&mut w, &mut t, &[call]).await;

    let q = expected_quote(&mut w, &call, Side::Buy, 3 * SOL).await;
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SlippageExceeded),
        w.m.buy(&mut w.bank, &mut t, &call, 3 * SOL, q.total - 1).await
    );
    let before = balance(&mut w.bank, t.quote).await;
    w.m.buy(&mut w.bank, &mut t, &call, 3 * SOL, q.total).await.unwrap();
    assert_eq!(before - balance(&mut w.bank, t.quote).await, q.total);

    let q = expected_quote(&mut w, &call, Side::Sell, SOL).await;
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SlippageExceeded),
        w.m.sell(&mut w.bank, &mut t, &call, SOL, q.total + 1).await
    );
    let before = balance(&mut w.bank, t.quote).await;
    w.m.sell(&mut w.bank, &mut t, &call, SOL, q.total).await.unwrap();
    assert_eq!(balance(&mut w.bank, t.quote).await - before, q.total);
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn deposit_and_withdraw_refuse_a_bound_one_unit_past_the_exact_amount() {
    let mut w = world().await;
    // a trade first, so NAV per share is no longer exactly one
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 20 * SOL, u64::MAX).await.unwrap();
    let lp2 = w.m.new_actor(&mut w.bank, 10_000 * USDC).await.unwrap();
    let mine = vec![lp2.quote, lp2.lp, call.series];

    let shares = expected_shares(&mut w, 10_000 * USDC).await;
    assert_ne!(shares, 10_000 * USDC, "the bound is not the trivial one-to-one amount");
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SlippageExceeded),
        w.m.deposit(&mut w.bank, &lp2, 10_000 * USDC, shares + 1).await
    );
    w.m.deposit(&mut w.bank, &lp2, 10_000 * USDC, shares).await.unwrap();
    assert_eq!(balance(&mut w.bank, lp2.lp).await, shares);

    let out = expected_withdrawal(&mut w, shares).await;
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SlippageExceeded),
        w.m.withdraw(&mut w.bank, &lp2, shares, out + 1).await
    );
    w.m.withdraw(&mut w.bank, &lp2, shares, out).await.unwrap();
    assert_eq!(balance(&mut w.bank, lp2.quote).await, out);
    check_books(&mut w, &[call]).await;
}

// ------------------------------------------------------------------ pauses

#[tokio::test]
async fn each_pause_flag_stops_its_own_flow_only() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    let mine = wallet(&mut w, &mut t, &[call]).await;

    w.m.set_paused(&mut w.bank, PAUSE_TRADING).await.unwrap();
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::TradingPaused),
        w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await
    );
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::TradingPaused),
        w.m.sell(&mut w.bank, &mut t, &call, SOL, 0).await
    );
    w.m.deposit(&mut w.bank, &w.lp, 1_000 * USDC, 0).await.unwrap();
    w.m.withdraw(&mut w.bank, &w.lp, 1_000 * USDC, 0).await.unwrap();

    w.m.set_paused(&mut w.bank, PAUSE_LP).await.unwrap();
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::LpPaused),
        w.m.deposit(&mut w.bank, &w.lp, 1_000 * USDC, 0).await
    );
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::LpPaused),
        w.m.withdraw(&mut w.bank, &w.lp, 1_000 * USDC, 0).await
    );
    w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await.unwrap();
    w.m.sell(&mut w.bank, &mut t, &call, SOL, 0).await.unwrap();
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn settlement_and_redemption_still_run_with_everything_paused() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    w.m.set_paused(&mut w.bank, PAUSE_ALL).await.unwrap();

    w.bank.set_time(EXPIRY + 30);
    w.m.post_price(&mut w.bank, 160_00000000);
    let mine = wallet(&mut w, &mut t, &[call]).await;
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::TradingPaused),
        w.m.sell(&mut w.bank, &mut t, &call, SOL, 0).await
    );
    w.m.settle(&mut w.bank, &call).await.unwrap();
    let before = balance(&mut w.bank, t.quote).await;
    w.m.redeem(&mut w.bank, &mut t, &call, 2 * SOL).await.unwrap();
    // 2 x (160 - 150)
    assert_eq!(balance(&mut w.bank, t.quote).await - before, 20 * USDC);
    w.m.close_series(&mut w.bank, &call).await.unwrap();
    check_books(&mut w, &[call]).await;
}

// --------------------------------------------------------- trading limits

#[tokio::test]
async fn no_trades_from_the_cutoff_on_and_the_second_before_it_is_open() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let cutoff = EXPIRY - w.m.pool(&mut w.bank).await.unwrap().params.risk.trading_cutoff_s as i64;
    assert_eq!(cutoff, EXPIRY - 12 * HOUR);

    w.bank.set_time(cutoff - 1);
    w.m.post_price(&mut w.bank, 150_00000000);
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    w.bank.set_time(cutoff);
    w.m.post_price(&mut w.bank, 150_00000000);
    let mine = wallet(&mut w, &mut t, &[call]).await;
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::PastTradingCutoff),
        w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await
    );
    // closing is stopped too: the pool does not quote a series this close to expiry
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::PastTradingCutoff),
        w.m.sell(&mut w.bank, &mut t, &call, SOL, 0).await
    );
    check_books(&mut w, &[call]).await;
}

/// Call delta (a put's + 1) at the pool's initial IV, now.
async fn call_delta(w: &mut World, strike: u64, kind: Kind) -> I80F48 {
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    let k = I80F48::from_num(strike) / I80F48::from_num(USDC);
    let t = t_years(EXPIRY, w.bank.now());
    let g = price_and_greeks(kind.into(), spot(&w.m), k, t, pool.params.vol.initial_base_iv(), pool.params.vol.rate())
        .unwrap();
    if kind == Kind::Put {
        g.delta + I80F48::ONE
    } else {
        g.delta
    }
}

#[tokio::test]
async fn opening_trades_outside_the_delta_band_are_refused_and_closing_ones_are_not() {
    let mut w = world().await;
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let min =
        I80F48::from_num(w.m.pool(&mut w.bank).await.unwrap().params.risk.min_delta_bps) / I80F48::from_num(10_000);
    let mut listed = vec![];
    // far tails on both sides, for both kinds (a put's call delta is its delta + 1)
    for (strike, kind) in
        [(250 * USDC, Kind::Call), (100 * USDC, Kind::Call), (250 * USDC, Kind::Put), (100 * USDC, Kind::Put)]
    {
        let d = call_delta(&mut w, strike, kind).await;
        assert!(d < min / 2 || d > I80F48::ONE - min / 2, "strike {strike} {kind:?}: call delta {d} is not in a tail");
        let s = w.m.list_series(&mut w.bank, strike, EXPIRY, kind).await.unwrap();
        let mine = wallet(&mut w, &mut t, &[s]).await;
        refused!(
            w.bank,
            watch(&w, &mine),
            code(OptionsError::DeltaOutOfBand),
            w.m.buy(&mut w.bank, &mut t, &s, SOL, u64::MAX).await
        );
        listed.push(s);
    }

    // in the band at 150, out of it after a fall to 120: no more buying, selling still open
    let call = w.m.list_series(&mut w.bank, 160 * USDC, EXPIRY, Kind::Call).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    w.bank.advance(HOUR);
    w.m.post_price(&mut w.bank, 120_00000000);
    assert!(call_delta(&mut w, 160 * USDC, Kind::Call).await < min / 2);
    let mine = wallet(&mut w, &mut t, &[call]).await;
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::DeltaOutOfBand),
        w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await
    );
    w.m.sell(&mut w.bank, &mut t, &call, 2 * SOL, 0).await.unwrap();
    listed.push(call);
    check_books(&mut w, &listed).await;
}

#[tokio::test]
async fn open_interest_stops_at_the_cap_of_each_series() {
    let mut w = world().await;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.risk.max_open_interest = 5 * SOL;
    w.m.update_params(&mut w.bank, params).await.unwrap();
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let put = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Put).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let mine = wallet(&mut w, &mut t, &[call, put]).await;

    w.m.buy(&mut w.bank, &mut t, &call, 3 * SOL, u64::MAX).await.unwrap();
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::OpenInterestCapExceeded),
        w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL + 1, u64::MAX).await
    );
    // exactly at the cap, and the cap is per series
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &put, 5 * SOL, u64::MAX).await.unwrap();
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::OpenInterestCapExceeded),
        w.m.buy(&mut w.bank, &mut t, &put, 1, u64::MAX).await
    );
    check_books(&mut w, &[call, put]).await;
}

#[tokio::test]
async fn a_buy_the_pool_could_not_pay_in_the_stress_scenario_is_refused() {
    // 1,000 USDC of LP money; the stress range is +-30% (a 150 call pays 45 at 195)
    let mut w = world_with(MarketConfig::default(), 1_000 * USDC).await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let mine = wallet(&mut w, &mut t, &[call]).await;
    assert_eq!(w.m.pool(&mut w.bank).await.unwrap().params.risk.max_move_bps, 3000);
    // 50 calls owe 2,250 USDC at 195; the pool holds 1,000 plus what they
    // pay (about 10 USDC a call at this IV), so the stressed value is negative
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::SolvencyCheckFailed),
        w.m.buy(&mut w.bank, &mut t, &call, 50 * SOL, u64::MAX).await
    );
    // a small buy is well inside: the refusal was the size
    w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await.unwrap();
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn net_short_puts_beyond_the_unhedgeable_cap_are_refused_and_calls_offset_them() {
    let mut w = world().await;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.risk.max_unhedged_delta = SOL;
    w.m.update_params(&mut w.bank, params).await.unwrap();
    let put = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Put).await.unwrap();
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let mine = wallet(&mut w, &mut t, &[put, call]).await;

    // an ATM put's delta is about -0.47: one leaves ~0.47 SOL unhedgeable, three ~1.4
    w.m.buy(&mut w.bank, &mut t, &put, SOL, u64::MAX).await.unwrap();
    let one = w.m.cache(&mut w.bank).await.unwrap().unhedgeable_delta();
    assert!(one > I80F48::from_num(SOL / 3) && one < I80F48::from_num(SOL / 2), "{one}");
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::UnhedgedDeltaCapExceeded),
        w.m.buy(&mut w.bank, &mut t, &put, 2 * SOL, u64::MAX).await
    );
    // short calls add hedgeable delta: net, the same two puts now fit under the cap
    w.m.buy(&mut w.bank, &mut t, &call, 2 * SOL, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &put, 2 * SOL, u64::MAX).await.unwrap();
    assert!(w.m.cache(&mut w.bank).await.unwrap().unhedgeable_delta() <= I80F48::from_num(SOL));
    check_books(&mut w, &[put, call]).await;
}

// ----------------------------------------------------------------- wallets

#[tokio::test]
async fn selling_more_than_you_hold_is_insufficient_funds_before_any_open_interest_check() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut a = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let mut b = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut a, &call, 2 * SOL, u64::MAX).await.unwrap();
    let mut mine = wallet(&mut w, &mut a, &[call]).await;
    mine.extend(wallet(&mut w, &mut b, &[call]).await);
    // 3 > the 2 written: SellExceedsOpenInterest cannot come first, because
    // a wallet never holds more than the supply, which is the open interest
    assert_eq!(w.m.series(&mut w.bank, &call).await.unwrap().open_interest, 2 * SOL);
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientFunds),
        w.m.sell(&mut w.bank, &mut a, &call, 2 * SOL + 1, 0).await
    );
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientFunds),
        w.m.sell(&mut w.bank, &mut b, &call, 1, 0).await
    );
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientFunds),
        w.m.sell(&mut w.bank, &mut a, &call, u64::MAX, 0).await
    );
    w.m.sell(&mut w.bank, &mut a, &call, 2 * SOL, 0).await.unwrap();
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn buying_depositing_or_withdrawing_more_than_the_wallet_holds_is_insufficient_funds() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let q = expected_quote(&mut w, &call, Side::Buy, SOL).await;
    // a wallet one base unit short of the exact cost
    let mut t = w.m.new_actor(&mut w.bank, q.total - 1).await.unwrap();
    let mine = wallet(&mut w, &mut t, &[call]).await;
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientFunds),
        w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await
    );
    w.bank.mint_to(&w.m.keys.quote_mint, &w.m.mint_authority, &t.quote, 1).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await.unwrap();
    assert_eq!(balance(&mut w.bank, t.quote).await, 0);

    let lp2 = w.m.new_actor(&mut w.bank, 1_000 * USDC).await.unwrap();
    let mine = vec![lp2.quote, lp2.lp, call.series];
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientFunds),
        w.m.deposit(&mut w.bank, &lp2, 1_000 * USDC + 1, 0).await
    );
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientFunds),
        w.m.deposit(&mut w.bank, &lp2, u64::MAX, 0).await
    );
    w.m.deposit(&mut w.bank, &lp2, 1_000 * USDC, 0).await.unwrap();
    let held = balance(&mut w.bank, lp2.lp).await;
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientFunds),
        w.m.withdraw(&mut w.bank, &lp2, held + 1, 0).await
    );
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::InsufficientFunds),
        w.m.withdraw(&mut w.bank, &lp2, u64::MAX, 0).await
    );
    w.m.withdraw(&mut w.bank, &lp2, held, 0).await.unwrap();
    check_books(&mut w, &[call]).await;
}

// --------------------------------------------------------------- amounts

#[tokio::test]
async fn zero_amounts_are_refused_everywhere() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await.unwrap();
    let mine = wallet(&mut w, &mut t, &[call]).await;
    let zero = code(OptionsError::ZeroAmount);
    refused!(w.bank, watch(&w, &mine), zero, w.m.deposit(&mut w.bank, &w.lp, 0, 0).await);
    refused!(w.bank, watch(&w, &mine), zero, w.m.withdraw(&mut w.bank, &w.lp, 0, 0).await);
    refused!(w.bank, watch(&w, &mine), zero, w.m.buy(&mut w.bank, &mut t, &call, 0, u64::MAX).await);
    refused!(w.bank, watch(&w, &mine), zero, w.m.sell(&mut w.bank, &mut t, &call, 0, 0).await);
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn an_overflow_size_buy_is_amount_too_large_and_a_merely_huge_one_hits_the_cap() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let mine = wallet(&mut w, &mut t, &[call]).await;
    // u64::MAX contracts = 1.8e10 SOL: the vega-utilisation fee alone
    // (IV x the pool's net vega after the trade / NAV, per contract) comes
    // to ~1e17 USDC, beyond a u64 of quote base units, so the pricing
    // refuses before any rule is checked
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::AmountTooLarge),
        w.m.buy(&mut w.bank, &mut t, &call, u64::MAX, u64::MAX).await
    );
    // a thousandth of that prices, and the per-series cap (10,000 SOL) refuses it
    let cap = w.m.pool(&mut w.bank).await.unwrap().params.risk.max_open_interest;
    assert!(u64::MAX / 1000 > cap);
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::OpenInterestCapExceeded),
        w.m.buy(&mut w.bank, &mut t, &call, u64::MAX / 1000, u64::MAX).await
    );
    check_books(&mut w, &[call]).await;
}

/// A pool whose NAV per share fell below one: short 100 calls and a rally to 200.
async fn nav_below_one() -> (World, SeriesKeys) {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 100 * SOL, u64::MAX).await.unwrap();
    w.bank.advance(HOUR);
    w.m.post_price(&mut w.bank, 200_00000000);
    let nav = expected_nav(&mut w, Rounding::Up).await;
    assert!(nav < lp_supply(&mut w).await, "NAV {nav} per share is below one");
    (w, call)
}

#[tokio::test]
async fn a_withdrawal_of_dust_that_would_pay_nothing_is_refused() {
    let (mut w, call) = nav_below_one().await;
    assert_eq!(expected_withdrawal(&mut w, 1).await, 0);
    refused!(
        w.bank,
        watch(&w, &[call.series]),
        code(OptionsError::ZeroAmount),
        w.m.withdraw(&mut w.bank, &w.lp, 1, 0).await
    );
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn a_deposit_whose_lp_tokens_would_not_fit_a_u64_is_amount_too_large() {
    let (mut w, call) = nav_below_one().await;
    // a whale holding every quote unit the mint can still issue (possible
    // only with a quote mint whose supply can approach u64::MAX)
    let whale = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    let amount = u64::MAX - w.bank.mint_supply(&w.m.keys.quote_mint).await.unwrap();
    w.bank.mint_to(&w.m.keys.quote_mint, &w.m.mint_authority, &whale.quote, amount).await.unwrap();
    let (nav, supply) = (expected_nav(&mut w, Rounding::Up).await, lp_supply(&mut w).await);
    assert_eq!(lp::shares_for_deposit(amount, nav, supply), Err(MathError::Overflow));
    let mine = vec![whale.quote, whale.lp, call.series];
    refused!(
        w.bank,
        watch(&w, &mine),
        code(OptionsError::AmountTooLarge),
        w.m.deposit(&mut w.bank, &whale, amount, 0).await
    );
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn a_deposit_too_small_for_one_lp_unit_is_refused() {
    let mut w = world().await;
    // a trade's fee lifts NAV per share above one
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 5 * SOL, u64::MAX).await.unwrap();
    assert_eq!(expected_shares(&mut w, 1).await, 0);
    refused!(
        w.bank,
        watch(&w, &[call.series]),
        code(OptionsError::DepositTooSmall),
        w.m.deposit(&mut w.bank, &w.lp, 1, 0).await
    );
    check_books(&mut w, &[call]).await;
}

#[tokio::test]
async fn a_pool_with_negative_nav_stops_deposits_withdrawals_and_trades_until_it_recovers() {
    // 10 short calls on 1,000 USDC pass the +-30% stress; a rally to 400 does not
    let mut w = world_with(MarketConfig::default(), 1_000 * USDC).await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 10 * SOL, u64::MAX).await.unwrap();
    w.bank.advance(HOUR);
    w.m.post_price(&mut w.bank, 400_00000000);
    // the pool owes 10 x ~250 USDC and holds ~1,100
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    let mut cache = w.m.cache(&mut w.bank).await.unwrap();
    cache.refresh(spot(&w.m), w.bank.now(), pool.params.vol.rate(), pool.decimals()).unwrap();
    assert!(options_amm::manager::nav::pool_nav(&pool, &cache, Rounding::Up).unwrap() < 0);

    let lp2 = w.m.new_actor(&mut w.bank, 1_000 * USDC).await.unwrap();
    let mut mine = wallet(&mut w, &mut t, &[call]).await;
    mine.extend([lp2.quote, lp2.lp]);
    let insolvent = code(OptionsError::PoolInsolvent);
    refused!(w.bank, watch(&w, &mine), insolvent, w.m.deposit(&mut w.bank, &lp2, 1_000 * USDC, 0).await);
    refused!(w.bank, watch(&w, &mine), insolvent, w.m.withdraw(&mut w.bank, &w.lp, USDC, 0).await);
    refused!(w.bank, watch(&w, &mine), insolvent, w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await);
    refused!(w.bank, watch(&w, &mine), insolvent, w.m.sell(&mut w.bank, &mut t, &call, SOL, 0).await);

    w.bank.advance(HOUR);
    w.m.post_price(&mut w.bank, 150_00000000);
    w.m.deposit(&mut w.bank, &lp2, 1_000 * USDC, 0).await.unwrap();
    w.m.sell(&mut w.bank, &mut t, &call, SOL, 0).await.unwrap();
    check_books(&mut w, &[call]).await;
}
