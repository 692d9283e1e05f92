//! Choosing among genuine oracle updates (issue 12, attacks 1 and 4). Pyth
//! is a pull oracle: every update published within `max_price_age_s` is
//! valid at once and the caller picks. An attacker who sees the price jump
//! from 148.50 (60 s ago) to 150.00 (now) deposits on the old update and
//! withdraws on the new one, or buys on the old and sells on the new, or
//! alternates rebalances between the two. The pool's oracle clock refuses
//! an update older than one it used; its price memory values the second
//! leg at the worse of the two prices; the rebalance cooldown is at least
//! the age window. Every attacker P&L is measured and printed.
use super::support::*;
use crate::common::*;
use oamm_sdk::ix::{self, data};
use oamm_sdk::market::Actor;
use oamm_sdk::pda::SeriesKeys;
use oamm_sdk::pyth::PriceObservation;
use oamm_sdk::Pubkey;
use options_amm::error::OptionsError;
use options_amm::state::Kind;

/// Two genuine updates alive now: `old_e8` published 60 s ago (its
/// predecessor before that) and `new_e8` published now, chained to it.
/// Returns (old account, new account).
fn two_updates(w: &mut World, old_e8: i64, new_e8: i64) -> (Pubkey, Pubkey) {
    two_updates_aged(w, old_e8, 60, new_e8)
}

/// `two_updates` with the older one `age_s` old.
fn two_updates_aged(w: &mut World, old_e8: i64, age_s: i64, new_e8: i64) -> (Pubkey, Pubkey) {
    let now = w.bank.now();
    let (old, new) = (Pubkey::new_unique(), Pubkey::new_unique());
    let o = PriceObservation {
        prev_publish_time: now - age_s - 1,
        ..PriceObservation::new(w.m.feed_id, old_e8, now - age_s)
    };
    w.bank.set_price(&old, &o);
    let n = PriceObservation { prev_publish_time: now - age_s, ..PriceObservation::new(w.m.feed_id, new_e8, now) };
    w.bank.set_price(&new, &n);
    // the market's own account carries the fresh one (what keepers read)
    w.bank.set_price(&w.m.oracle, &n);
    w.m.spot_e8 = new_e8;
    w.m.last_publish_time = Some(now);
    (old, new)
}

pub fn clone_actor(a: &Actor) -> Actor {
    Actor {
        key: a.key.insecure_clone(),
        quote: a.quote,
        underlying: a.underlying,
        lp: a.lp,
        options: a.options.clone(),
    }
}

pub async fn deposit_with(w: &mut World, a: &Actor, oracle: Pubkey, amount: u64) -> oamm_sdk::bank::BankResult<()> {
    let acc = ix::deposit(a.pubkey(), &w.m.keys, oracle, a.quote, a.lp);
    w.bank.process(&[ix::ix(acc, data::Deposit { quote_amount: amount, min_lp_out: 0 })], &[&a.key]).await
}

pub async fn withdraw_with(w: &mut World, a: &Actor, oracle: Pubkey, lp: u64) -> oamm_sdk::bank::BankResult<()> {
    let acc = ix::withdraw(a.pubkey(), &w.m.keys, oracle, a.lp, a.quote);
    w.bank.process(&[ix::ix(acc, data::Withdraw { lp_amount: lp, min_quote_out: 0 })], &[&a.key]).await
}

async fn trade_with(
    w: &mut World,
    a: &mut Actor,
    s: &SeriesKeys,
    oracle: Pubkey,
    buy: bool,
    contracts: u64,
) -> oamm_sdk::bank::BankResult<()> {
    let options = w.m.option_account(&mut w.bank, a, s).await.unwrap();
    let acc = ix::trade(a.pubkey(), &w.m.keys, s, oracle, a.quote, options);
    let ixn = if buy {
        ix::ix(acc, data::Buy { contracts, max_total_cost: u64::MAX })
    } else {
        ix::ix(acc, data::Sell { contracts, min_total_proceeds: 0 })
    };
    w.bank.process(&[ixn], &[&a.key]).await
}

/// The pool short 200 ATM 7-day puts: a large unhedgeable delta (~ -90
/// SOL), the exposure attack 1 rides on.
async fn short_puts() -> World {
    let mut w = world().await;
    let put = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Put).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 1_000_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &put, 200 * SOL, u64::MAX).await.unwrap();
    w
}

#[tokio::test]
async fn an_lp_round_trip_across_two_live_updates_earns_nothing() {
    let mut w = short_puts().await;
    let attacker = w.m.new_actor(&mut w.bank, 5_000_000 * USDC).await.unwrap();
    let start = balance(&mut w.bank, attacker.quote).await;
    for round in 0..10 {
        w.bank.advance(120);
        // the price rose 1% within the age window; both updates are genuine
        let (old, new) = two_updates(&mut w, 148_50000000, 150_00000000);
        let cash = balance(&mut w.bank, attacker.quote).await;
        deposit_with(&mut w, &attacker, old, cash).await.unwrap();
        let lp = balance(&mut w.bank, attacker.lp).await;
        withdraw_with(&mut w, &attacker, new, lp).await.unwrap();
        // and the old update is now refused outright
        if round == 0 {
            let keys = watch(&w, &[attacker.quote, attacker.lp]);
            let before = snapshot(&mut w.bank, &keys).await;
            expect_err(deposit_with(&mut w, &attacker, old, USDC).await, OptionsError::OracleUpdateOlderThanPool);
            assert_unchanged(&mut w.bank, &keys, &before).await;
        }
    }
    let pnl = balance(&mut w.bank, attacker.quote).await as i128 - start as i128;
    println!("LP round trip 148.50 -> 150.00 x10 on 5M USDC: attacker P&L {:+.2} USDC (was +1,272)", usdc(pnl));
    assert!(pnl <= 0, "the round trips made {pnl}");
    assert_eq!(balance(&mut w.bank, attacker.lp).await, 0);
}

#[tokio::test]
async fn an_honest_lp_next_to_it_exits_at_once_at_about_what_it_paid() {
    async fn round_trip(w: &mut World) -> i128 {
        let lp = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
        w.m.deposit(&mut w.bank, &lp, 100_000 * USDC, 0).await.unwrap();
        let shares = balance(&mut w.bank, lp.lp).await;
        w.m.withdraw(&mut w.bank, &lp, shares, 0).await.unwrap();
        100_000 * USDC as i128 - balance(&mut w.bank, lp.quote).await as i128
    }
    let mut w = short_puts().await;
    // within the hour after the 200-put buy the trading IV is above the
    // mark and its fee is locked: an in-and-out pays the worse of the marks
    let soon = round_trip(&mut w).await;
    // an hour on, on one update: the marks agree, the fee is unlocked
    w.bank.advance(options_amm::constants::MARK_IV_WINDOW_S.max(options_amm::constants::FEE_UNLOCK_S));
    w.m.post_price(&mut w.bank, 150_00000000);
    let later = round_trip(&mut w).await;
    println!(
        "honest LP in and out, 100,000 USDC: {:.6} USDC right after a 200-put buy (IV gap + locked fee), {:.6} an hour later",
        usdc(soon),
        usdc(later)
    );
    assert!(soon >= later, "the worse-of-two-marks never pays an in-and-out more than it paid");
    assert!((0..=2).contains(&later), "an honest round trip on one update costs rounding only, got {later}");
}

#[tokio::test]
async fn a_trader_round_trip_across_two_live_updates_pays_fees_only() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 2 * DAY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    let start = balance(&mut w.bank, t.quote).await;
    for _ in 0..10 {
        w.bank.advance(120);
        let (old, new) = two_updates(&mut w, 148_50000000, 150_00000000);
        trade_with(&mut w, &mut t, &call, old, true, 5 * SOL).await.unwrap();
        trade_with(&mut w, &mut t, &call, new, false, 5 * SOL).await.unwrap();
    }
    let pnl = balance(&mut w.bank, t.quote).await as i128 - start as i128;
    println!("buy on 148.50, sell on 150.00, 5 contracts x10: trader P&L {:+.2} USDC (was about +24)", usdc(pnl));
    assert!(pnl <= 0, "the round trips made {pnl}");
}

#[tokio::test]
async fn rebalance_ping_pong_between_two_updates_of_a_minute_is_refused() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 1_000_000 * USDC).await.unwrap();
    w.m.buy(&mut w.bank, &mut t, &call, 100 * SOL, u64::MAX).await.unwrap();
    let keeper = w.m.new_actor(&mut w.bank, 0).await.unwrap();
    w.m.rebalance(&mut w.bank, &keeper).await.unwrap();
    w.bank.advance(120);
    // both inside the age window for the whole minute of calls
    let (old, new) = two_updates_aged(&mut w, 149_50000000, 1, 150_00000000);
    let rebalance = |oracle: Pubkey, k: &Actor| {
        ix::ix(ix::rebalance(k.pubkey(), &w.m.keys, oracle, k.quote, &w.m.venue), data::Rebalance {})
    };
    let (first, second) = (rebalance(old, &keeper), rebalance(new, &keeper));
    let reward0 = balance(&mut w.bank, keeper.quote).await;
    let mut ran = 0;
    let mut refusals = Vec::new();
    for i in 0..20 {
        let ixn = if i % 2 == 0 { first.clone() } else { second.clone() };
        let keys = watch(&w, &[keeper.quote]);
        let before = snapshot(&mut w.bank, &keys).await;
        match w.bank.process(&[ixn], &[&keeper.key]).await {
            Ok(()) => ran += 1,
            Err(e) => {
                refusals.push(e.code());
                assert_unchanged(&mut w.bank, &keys, &before).await;
            }
        }
        w.bank.advance(3);
    }
    let reward = balance(&mut w.bank, keeper.quote).await - reward0;
    println!(
        "rebalance ping-pong, 20 calls in one minute: {ran} ran, keeper +{:.2} USDC (was 20, +18.20)",
        usdc(reward as i128)
    );
    assert!(ran <= 1, "only one rebalance per cooldown");
    assert!(refusals.contains(&Some(code(OptionsError::RebalanceCooldown))));
    // after the first rebalance the older update is refused, whatever the cooldown
    assert!(
        refusals.iter().all(|c| *c == Some(code(OptionsError::RebalanceCooldown))
            || *c == Some(code(OptionsError::OracleUpdateOlderThanPool))
            || *c == Some(code(OptionsError::RebalanceNotDue))),
        "{refusals:?}"
    );
}

#[tokio::test]
async fn an_older_update_than_the_pool_used_is_refused_by_every_pricing_instruction() {
    let mut w = world().await;
    let call = w.m.list_series(&mut w.bank, 150 * USDC, T0 + 7 * DAY, Kind::Call).await.unwrap();
    let mut t = w.m.new_actor(&mut w.bank, 100_000 * USDC).await.unwrap();
    w.bank.advance(120);
    let (old, new) = two_updates(&mut w, 149_00000000, 150_00000000);
    w.m.buy(&mut w.bank, &mut t, &call, SOL, u64::MAX).await.unwrap(); // uses `new`
    let _ = new;
    let opt = w.m.option_account(&mut w.bank, &mut t, &call).await.unwrap();
    let keys = watch(&w, &[t.quote, t.lp, opt, call.series, call.option_mint]);
    let before = snapshot(&mut w.bank, &keys).await;
    let lp = clone_actor(&w.lp);
    expect_err(deposit_with(&mut w, &t, old, USDC).await, OptionsError::OracleUpdateOlderThanPool);
    expect_err(withdraw_with(&mut w, &lp, old, USDC).await, OptionsError::OracleUpdateOlderThanPool);
    expect_err(trade_with(&mut w, &mut t, &call, old, true, SOL).await, OptionsError::OracleUpdateOlderThanPool);
    expect_err(trade_with(&mut w, &mut t, &call, old, false, SOL).await, OptionsError::OracleUpdateOlderThanPool);
    let refresh = ix::ix(ix::refresh_greeks(&w.m.keys, old), data::RefreshGreeks {});
    expect_err(w.bank.process(&[refresh], &[]).await, OptionsError::OracleUpdateOlderThanPool);
    assert_unchanged(&mut w.bank, &keys, &before).await;
}
