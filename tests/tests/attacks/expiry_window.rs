//! Between expiry and settlement (issue 12, attacks 2 and 7). Before the
//! fix the book marked an expired series at intrinsic at the *current*
//! spot until someone settled it, so a deposit and a withdrawal around a
//! settlement at a known price moved value between LPs; and every series
//! picked its own update within the settlement grace, so calls settled at
//! the window's high and puts at its low. Now LP flows, trades and
//! rebalances wait until every expired series is settled (it can be done in
//! the same transaction), and the first series of an expiry fixes the
//! price for all of them.
use super::oracle_choice::{clone_actor, deposit_with, withdraw_with};
use super::support::*;
use crate::common::*;
use crate::refused;
use oamm_sdk::ix::{self, data};
use oamm_sdk::pyth::PriceObservation;
use oamm_sdk::Pubkey;
use options_amm::error::OptionsError;
use options_amm::state::{Kind, Series};

const EXPIRY: i64 = T0 + DAY;

fn covering_update(w: &mut World, price_e8: i64, publish: i64, prev: i64) -> Pubkey {
    let key = Pubkey::new_unique();
    let o = PriceObservation { prev_publish_time: prev, ..PriceObservation::new(w.m.feed_id, price_e8, publish) };
    w.bank.set_price(&key, &o);
    key
}

#[tokio::test]
async fn lp_flows_trades_and_hedging_wait_for_settlement_and_a_bundled_round_trip_earns_nothing() {
    let mut w = world().await;
    let expiring = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let later = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 1_000_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &expiring, 100 * SOL, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &later, 10 * SOL, u64::MAX).await.unwrap();
    let keeper = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    w.m.rebalance(&mut w.bank, &keeper).await.unwrap();

    // forty seconds after expiry: settles at 160, spot now 161.60
    w.bank.set_time(EXPIRY + 40);
    let settle_at = covering_update(&mut w, 160_00000000, EXPIRY, EXPIRY - 1);
    w.m.post_price(&mut w.bank, 161_60000000);
    let attacker = w.m.new_actor(&mut w.bank, 5_000_000 * USDC).await.unwrap();
    let opt = w.m.option_account(&mut w.bank, &mut t, &later).await.unwrap();
    let keys = watch(&w, &[attacker.quote, attacker.lp, t.quote, opt, keeper.quote, later.series, later.option_mint]);
    let before = snapshot(&mut w.bank, &keys).await;
    let oracle = w.m.oracle;
    expect_err(deposit_with(&mut w, &attacker, oracle, 5_000_000 * USDC).await, OptionsError::ExpiredSeriesUnsettled);
    let lp = clone_actor(&w.lp);
    expect_err(withdraw_with(&mut w, &lp, oracle, USDC).await, OptionsError::ExpiredSeriesUnsettled);
    expect_err(w.m.buy(&mut w.bank, &mut t, &later, SOL, u64::MAX).await, OptionsError::ExpiredSeriesUnsettled);
    expect_err(w.m.sell(&mut w.bank, &mut t, &later, SOL, 0).await, OptionsError::ExpiredSeriesUnsettled);
    expect_err(w.m.rebalance(&mut w.bank, &keeper).await, OptionsError::ExpiredSeriesUnsettled);
    assert_unchanged(&mut w.bank, &keys, &before).await;

    // the attack as one transaction: settle, deposit; then withdraw
    let start = balance(&mut w.bank, attacker.quote).await;
    let settle = ix::ix(ix::settle_series(&w.m.keys, &expiring, settle_at), data::SettleSeries {});
    let deposit = ix::ix(
        ix::deposit(attacker.pubkey(), &w.m.keys, oracle, attacker.quote, attacker.lp),
        data::Deposit { quote_amount: 5_000_000 * USDC, min_lp_out: 0 },
    );
    w.bank.process(&[settle, deposit], &[&attacker.key]).await.unwrap();
    let shares = balance(&mut w.bank, attacker.lp).await;
    w.m.withdraw(&mut w.bank, &attacker, shares, 0).await.unwrap();
    let pnl = balance(&mut w.bank, attacker.quote).await as i128 - start as i128;
    println!(
        "settle at 160 + deposit, withdraw at 161.60, 40 s after expiry: attacker P&L {:+.2} USDC (was +298)",
        usdc(pnl)
    );
    assert!(pnl <= 0, "made {pnl}");
    // and the pool trades again once the expiry is settled
    w.m.buy(&mut w.bank, &mut t, &later, SOL, u64::MAX).await.unwrap();
    check_books(&mut w, &[expiring, later]).await;
}

#[tokio::test]
async fn every_series_of_an_expiry_settles_at_one_price() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let put = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Put).await.unwrap();
    let mut holder = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut holder, &call, 50 * SOL, u64::MAX).await.unwrap();
    w.m.buy(&mut w.bank, &mut holder, &put, 50 * SOL, u64::MAX).await.unwrap();
    // two genuine updates inside the 30 s grace: 149 at expiry, 151 twenty seconds later
    w.bank.set_time(EXPIRY + 25);
    let low = covering_update(&mut w, 149_00000000, EXPIRY, EXPIRY - 1);
    let high = covering_update(&mut w, 151_00000000, EXPIRY + 20, EXPIRY + 19);
    // the holder settles the call on the high one, then tries the put on the low one
    let s1 = ix::ix(ix::settle_series(&w.m.keys, &call, high), data::SettleSeries {});
    let s2 = ix::ix(ix::settle_series(&w.m.keys, &put, low), data::SettleSeries {});
    w.bank.process(&[s1, s2], &[]).await.unwrap();
    let c: Series = w.bank.anchor(&call.series).await.unwrap();
    let p: Series = w.bank.anchor(&put.series).await.unwrap();
    assert_eq!(c.settlement_price_bits, p.settlement_price_bits, "one price per expiry");
    let pays = (c.payout_remaining + p.payout_remaining) as i128;
    // per-series picking would have paid 1 + 1 per straddle: 100 USDC on 50
    println!(
        "straddle holder settling each leg on its best update: paid {:.2} USDC on 50 straddles (per-series picking: 100.00)",
        usdc(pays)
    );
    assert_eq!(pays, 50 * USDC as i128, "151 for both legs: the call pays 1, the put 0");
    check_books(&mut w, &[call, put]).await;
}

#[tokio::test]
async fn a_pushed_feed_settles_within_the_pools_grace_and_a_pick_gains_only_the_graces_move() {
    let mut w = world().await;
    let grace = w.m.pool(&mut w.bank).await.unwrap().params.oracle.settlement_grace_s as i64;
    assert_eq!(grace, 90, "the SDK's default grace");
    let call = w.m.list_series(&mut w.bank, 150 * USDC, EXPIRY, Kind::Call).await.unwrap();
    let mut holder = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut holder, &call, 50 * SOL, u64::MAX).await.unwrap();
    // Pyth's sponsored feed pushes about once a minute: its first push after
    // expiry lands 58 s later, and its previous Pythnet tick (57 s) is after
    // expiry too, so it is not the update covering expiry (that one, 150.00,
    // is on Hermes only). A push one second past the grace is refused.
    w.bank.set_time(EXPIRY + grace + 5);
    let covering = covering_update(&mut w, 150_00000000, EXPIRY, EXPIRY - 1);
    let late = covering_update(&mut w, 150_60000000, EXPIRY + grace + 1, EXPIRY + grace);
    let (keys, series) = (w.m.keys, call);
    let settle = move |price| ix::ix(ix::settle_series(&keys, &series, price), data::SettleSeries {});
    let late_settle = settle(late);
    refused!(
        w.bank,
        watch(&w, &[call.series]),
        code(OptionsError::SettlementPriceNotFirstAfterExpiry),
        w.bank.process(&[late_settle], &[]).await
    );
    // the holder settles on the push inside the grace, 0.2% above the
    // covering price: what he gains over the fair settlement is that move
    // times his holding, and no more
    let pushed = covering_update(&mut w, 150_30000000, EXPIRY + 58, EXPIRY + 57);
    w.bank.process(&[settle(pushed)], &[]).await.unwrap();
    let s: Series = w.bank.anchor(&call.series).await.unwrap();
    assert_eq!(s.payout_remaining, 50 * 30 * USDC / 100, "50 calls x (150.30 - 150)");
    // the covering update would have paid nothing; a later settle cannot
    // move the price (one price per expiry)
    expect_err(w.bank.process(&[settle(covering)], &[]).await.map(|_| ()), OptionsError::SeriesAlreadySettled);
    println!(
        "settling on the best push of a 90 s grace: +{:.2} USDC on 50 calls for a 0.2% move (mean best pick at 80% vol: ~0.16 USDC a contract)",
        usdc(s.payout_remaining as i128)
    );
    check_books(&mut w, &[call]).await;
}
