//! Just-in-time liquidity around someone else's large trade (issue 12,
//! attack 3). Trades price at the trading surface, which a large buy lifts
//! at once, while the book is marked at the mark IV that follows the
//! surface over an hour: before the fix a deposit just before a large buy
//! and a withdrawal just after it took the gap (and the fee) from the LPs
//! who stayed. Now a withdrawal values each series at the higher of mark
//! and trading IV and does not count fees still unlocking.
use super::support::*;
use crate::common::*;
use options_amm::state::Kind;

#[tokio::test]
async fn liquidity_in_before_a_large_buy_and_out_after_it_earns_nothing() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let attacker = w.m.new_actor(&mut w.bank, 5_000_000 * USDC).await.unwrap();
    let mut victim = w.m.new_actor(&mut w.bank, 1_000_000 * USDC).await.unwrap();
    let start = balance(&mut w.bank, attacker.quote).await;
    w.m.deposit(&mut w.bank, &attacker, 5_000_000 * USDC, 0).await.unwrap();
    let paid0 = balance(&mut w.bank, victim.quote).await;
    w.m.buy(&mut w.bank, &mut victim, &call, 200 * SOL, u64::MAX).await.unwrap();
    let paid = paid0 - balance(&mut w.bank, victim.quote).await;
    let shares = balance(&mut w.bank, attacker.lp).await;
    w.m.withdraw(&mut w.bank, &attacker, shares, 0).await.unwrap();
    let pnl = balance(&mut w.bank, attacker.quote).await as i128 - start as i128;
    println!(
        "JIT LP 5M around a 200-call buy ({:.2} USDC paid): attacker P&L {:+.2} USDC (was +1,192)",
        usdc(paid as i128),
        usdc(pnl)
    );
    assert!(pnl <= 0, "made {pnl}");
}

#[tokio::test]
async fn the_lps_who_stay_get_the_fee_once_it_has_unlocked() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut victim = w.m.new_actor(&mut w.bank, 1_000_000 * USDC).await.unwrap();
    let nav0 = expected_nav(&mut w, options_math::units::Rounding::Down).await;
    w.m.buy(&mut w.bank, &mut victim, &call, 20 * SOL, u64::MAX).await.unwrap();
    let fee = w.m.pool(&mut w.bank).await.unwrap().total_fees;
    let locked_now = w.m.pool(&mut w.bank).await.unwrap().fees_still_locked(w.bank.now());
    assert_eq!(locked_now, fee, "the whole fee is locked at first");
    w.bank.advance(options_amm::constants::FEE_UNLOCK_S);
    w.m.post_price(&mut w.bank, w.m.spot_e8);
    let pool = w.m.pool(&mut w.bank).await.unwrap();
    assert_eq!(pool.fees_still_locked(w.bank.now()), 0, "unlocked after FEE_UNLOCK_S");
    let nav1 = expected_nav(&mut w, options_math::units::Rounding::Down).await;
    println!(
        "fee {:.2} USDC; withdrawal NAV {:.2} -> {:.2} an hour later",
        usdc(fee as i128),
        usdc(nav0 as i128),
        usdc(nav1 as i128)
    );
    assert!(nav1 > nav0, "the staying LPs' withdrawal value grew");
}
