//! Attacks on the risk-aware quotes (issue 18), measured.
//!
//! - The hedge-cost fee's discount: a trader who buys while the pool's gamma
//!   is low and sells back after others have added gamma is paid back more
//!   hedging cost than it was charged. The discount is capped at half the
//!   sell's other fees, so the round trip still pays fees.
//! - The relaxing surface: NAV now drifts predictably as IV relaxes toward
//!   its reference. An attacker who lifts IV, deposits at the low NAV and
//!   withdraws after the surface relaxed gains as an LP what its options
//!   lose, and owns only part of the pool.
use super::support::*;
use crate::common::*;
use options_amm::state::{HedgePolicyConfig, Kind};
use options_math::amm::Side;

const EXPIRY: i64 = T0 + 7 * DAY;

#[tokio::test]
async fn the_hedge_fee_discount_never_makes_a_round_trip_fee_free() {
    let mut w = world().await;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    params.hedge.policy = HedgePolicyConfig::WhalleyWilmott { cost_bps: 30, risk_aversion_ppm: 1_000 };
    w.m.update_params(&mut w.bank, params).await.unwrap();
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut attacker = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let mut others = w.m.new_actor(&mut w.bank, 1_000_000 * USDC).await.unwrap();
    let start = balance(&mut w.bank, attacker.quote).await;

    // buy while the pool holds no gamma, let others add a lot, sell back
    let buy = expected_quote(&mut w, &call, Side::Buy, 10 * SOL).await;
    w.m.buy(&mut w.bank, &mut attacker, &call, 10 * SOL, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut others, &call, 300 * SOL, u64::MAX).await.unwrap();
    let sell = expected_quote(&mut w, &call, Side::Sell, 10 * SOL).await;
    w.m.sell(&mut w.bank, &mut attacker, &call, 10 * SOL, 0).await.unwrap();
    let pnl = balance(&mut w.bank, attacker.quote).await as i128 - start as i128;

    let other_fees = |q: &options_math::amm::TradeQuote| q.fee as i128 - q.hedge_fee as i128;
    let hedge_net = sell.hedge_fee.unsigned_abs() as i128 - buy.hedge_fee as i128;
    println!(
        "hedge-fee discount farming: charged {:.4}, paid back {:.4} (net {:+.4}) against {:.4} of other fees; \
         attacker P&L {:+.2} USDC (the rest is the others' IV impact it sold into)",
        usdc(buy.hedge_fee as i128),
        usdc(sell.hedge_fee.unsigned_abs() as i128),
        usdc(hedge_net),
        usdc(other_fees(&buy) + other_fees(&sell)),
        usdc(pnl)
    );
    assert!(sell.hedge_fee < 0 && -(sell.hedge_fee as i128) > buy.hedge_fee as i128, "the scenario: paid back more");
    assert!(-(sell.hedge_fee as i128) * 2 <= other_fees(&sell), "the discount is capped at half the sell's fees");
    assert!(buy.fee as i128 + sell.fee as i128 > other_fees(&buy) + other_fees(&sell) / 2);
}

/// The attacker's P&L for: buy 100 calls (IV +20 points), wait for the mark,
/// deposit as much as the pool holds, wait a day, sell back and withdraw.
async fn lift_deposit_wait_withdraw(half_life_s: u32) -> i128 {
    let mut w = world().await;
    let mut params = w.m.pool(&mut w.bank).await.unwrap().params;
    if params.vol.relax_half_life_s != half_life_s {
        params.vol.relax_half_life_s = half_life_s;
        w.m.propose_params(&mut w.bank, params.clone()).await.unwrap();
        w.bank.advance(params.governance.timelock_s as i64);
        w.m.post_price(&mut w.bank, w.m.spot_e8);
        w.m.apply_params(&mut w.bank).await.unwrap();
    }
    let expiry = w.bank.now() + 7 * DAY;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, expiry, Kind::Call).await.unwrap();
    let mut attacker = w.m.new_actor(&mut w.bank, 2_000_000 * USDC).await.unwrap();
    let start = balance(&mut w.bank, attacker.quote).await;
    w.m.buy(&mut w.bank, &mut attacker, &call, 100 * SOL, u64::MAX).await.unwrap();
    // the mark catches up with the lifted IV: the book's value rises, NAV falls
    w.bank.advance(HOUR);
    w.m.post_price(&mut w.bank, w.m.spot_e8);
    w.m.deposit(&mut w.bank, &attacker, 500_000 * USDC, 0).await.unwrap();
    w.bank.advance(DAY);
    w.m.post_price(&mut w.bank, w.m.spot_e8);
    w.m.sell(&mut w.bank, &mut attacker, &call, 100 * SOL, 0).await.unwrap();
    let lp = balance(&mut w.bank, attacker.lp).await;
    w.m.withdraw(&mut w.bank, &attacker, lp, 0).await.unwrap();
    balance(&mut w.bank, attacker.quote).await as i128 - start as i128
}

#[tokio::test]
async fn lifting_iv_and_riding_its_relaxation_as_an_lp_loses_money() {
    let relaxing = lift_deposit_wait_withdraw(86_400).await;
    let frozen = lift_deposit_wait_withdraw(0).await;
    println!(
        "lift IV, deposit, ride the relaxation, withdraw: attacker P&L {:+.2} USDC with a 1-day half-life, \
         {:+.2} with the surface frozen",
        usdc(relaxing),
        usdc(frozen)
    );
    assert!(relaxing < 0, "the attacker made {:.2} USDC", usdc(relaxing));
}
