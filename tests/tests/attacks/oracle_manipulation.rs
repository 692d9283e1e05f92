//! Oracle manipulation: every instruction that prices from Pyth refuses a
//! stale, foreign, partially verified, low-confidence, non-positive or
//! badly scaled update with that defect's own error; settlement takes only
//! THE update that covers the expiry instant. What is left to a trader is
//! the choice among genuine updates younger than max_price_age_s (the pull
//! oracle's nature); the last test measures that window.
use super::support::*;
use crate::common::*;
use oamm_sdk::ix::{self, data};
use oamm_sdk::pyth::PriceObservation;
use oamm_sdk::Instruction;
use options_amm::error::OptionsError;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_sdk::signature::Keypair;

/// The defects, each a fully formed update at 150 USD but for one thing.
fn defects(feed: [u8; 32], now: i64) -> Vec<(&'static str, PriceObservation, OptionsError)> {
    let ok = PriceObservation::new(feed, 150_00000000, now);
    vec![
        (
            "61 s old (limit 60)",
            PriceObservation { publish_time: now - 61, prev_publish_time: now - 62, ..ok },
            OptionsError::OracleStale,
        ),
        ("another feed", PriceObservation { feed_id: [0x42; 32], ..ok }, OptionsError::OracleFeedMismatch),
        (
            "partially verified",
            PriceObservation { verification: VerificationLevel::Partial { num_signatures: 5 }, ..ok },
            OptionsError::OracleNotFullyVerified,
        ),
        // 2.01% of the price against the pool's 2% limit
        (
            "confidence too wide",
            PriceObservation { conf: 150_00000000 / 10_000 * 201, ..ok },
            OptionsError::OracleConfidenceTooWide,
        ),
        ("negative price", PriceObservation { price: -150_00000000, ..ok }, OptionsError::OracleNonPositivePrice),
        (
            "exponent out of range",
            PriceObservation { price: 150, exponent: 19, conf: 0, ..ok },
            OptionsError::OracleExponentOutOfRange,
        ),
    ]
}

#[tokio::test]
async fn every_oracle_defect_is_refused_with_its_own_error_by_every_pricing_instruction() {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap(); // a rebalance is due
    let keys = pool_accounts(&s);
    let now = s.w.bank.now();
    let mut refused = 0;
    for (name, o, e) in defects(s.w.m.feed_id, now) {
        s.w.m.post_observation(&mut s.w.bank, &o);
        let (m, lp, tr, k) = (&s.w.m, &s.w.lp, &s.trader, &s.keeper);
        let cases: Vec<(&str, Instruction, Option<&Keypair>)> = vec![
            (
                "deposit",
                ix::ix(
                    ix::deposit(lp.pubkey(), &m.keys, m.oracle, lp.quote, lp.lp),
                    data::Deposit { quote_amount: USDC, min_lp_out: 0 },
                ),
                Some(&lp.key),
            ),
            (
                "withdraw",
                ix::ix(
                    ix::withdraw(lp.pubkey(), &m.keys, m.oracle, lp.lp, lp.quote),
                    data::Withdraw { lp_amount: USDC, min_quote_out: 0 },
                ),
                Some(&lp.key),
            ),
            (
                "buy",
                ix::ix(
                    ix::trade(tr.pubkey(), &m.keys, &s.call, m.oracle, tr.quote, s.trader_options),
                    data::Buy { contracts: SOL, max_total_cost: u64::MAX },
                ),
                Some(&tr.key),
            ),
            (
                "sell",
                ix::ix(
                    ix::trade(tr.pubkey(), &m.keys, &s.call, m.oracle, tr.quote, s.trader_options),
                    data::Sell { contracts: SOL, min_total_proceeds: 0 },
                ),
                Some(&tr.key),
            ),
            ("refresh_greeks", ix::ix(ix::refresh_greeks(&m.keys, m.oracle), data::RefreshGreeks {}), None),
            (
                "rebalance",
                ix::ix(ix::rebalance(k.pubkey(), &m.keys, m.oracle, k.quote, &m.venue), data::Rebalance {}),
                Some(&k.key),
            ),
        ];
        for (ix_name, c, signer) in cases {
            let signers: Vec<&Keypair> = signer.into_iter().collect();
            let before = state_of(&mut s.w.bank, &keys).await;
            let r = s.w.bank.process(&[c], &signers).await;
            assert_eq!(r.as_ref().err().and_then(|e| e.code()), Some(code(e)), "{ix_name} with {name}: {r:?}");
            assert_eq!(before, state_of(&mut s.w.bank, &keys).await, "{ix_name} with {name} changed state");
            refused += 1;
        }
    }
    assert_eq!(refused, 36);
}

#[tokio::test]
async fn settlement_takes_only_the_update_that_covers_the_expiry_instant() {
    let mut s = scene().await;
    let feed = s.w.m.feed_id;
    let keys = pool_accounts(&s);
    let settle = |s: &Scene| ix::ix(ix::settle_series(&s.w.m.keys, &s.call, s.w.m.oracle), data::SettleSeries {});

    // before expiry, even with a good price
    s.w.m.post_price(&mut s.w.bank, 150_00000000);
    let c = settle(&s);
    refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[], code(OptionsError::SeriesNotExpired)).await;

    s.w.bank.set_time(EXPIRY + 2 * HOUR);
    let at = |price: i64, publish: i64, prev: i64| PriceObservation {
        prev_publish_time: prev,
        ..PriceObservation::new(feed, price, publish)
    };
    let cases = [
        // the last price before expiry (a holder of puts would like a dip)
        (
            "published before expiry",
            at(120_00000000, EXPIRY - 1, EXPIRY - 2),
            OptionsError::SettlementPriceBeforeExpiry,
        ),
        // a genuine first-after-expiry update, but the feed stalled past the one-hour window
        (
            "after the window",
            at(200_00000000, EXPIRY + HOUR + 1, EXPIRY - 1),
            OptionsError::SettlementPriceOutsideWindow,
        ),
        // a later update inside the window: picking the best price of the hour
        (
            "not the first after expiry",
            at(200_00000000, EXPIRY + 600, EXPIRY + 599),
            OptionsError::SettlementPriceNotFirstAfterExpiry,
        ),
        (
            "another feed",
            PriceObservation { feed_id: [0x42; 32], ..at(150_00000000, EXPIRY, EXPIRY - 1) },
            OptionsError::OracleFeedMismatch,
        ),
        (
            "partially verified",
            PriceObservation {
                verification: VerificationLevel::Partial { num_signatures: 5 },
                ..at(150_00000000, EXPIRY, EXPIRY - 1)
            },
            OptionsError::OracleNotFullyVerified,
        ),
    ];
    for (name, o, e) in cases {
        s.w.m.post_observation(&mut s.w.bank, &o);
        let c = settle(&s);
        let before = state_of(&mut s.w.bank, &keys).await;
        let r = s.w.bank.process(&[c], &[]).await;
        assert_eq!(r.as_ref().err().and_then(|e| e.code()), Some(code(e)), "{name}: {r:?}");
        assert_eq!(before, state_of(&mut s.w.bank, &keys).await, "{name}");
    }
    // the update covering the expiry instant settles, even two hours later
    s.w.m.post_observation(&mut s.w.bank, &at(155_00000000, EXPIRY + 3, EXPIRY - 2));
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    let series = s.w.m.series(&mut s.w.bank, &s.call).await.unwrap();
    assert_eq!(series.payout_remaining, 25 * USDC, "5 x (155 - 150)");
}

#[tokio::test]
async fn a_trader_can_only_choose_among_updates_younger_than_the_max_age() {
    // Anyone may post a verified update to an account of their own, so a
    // trader can price against any genuine update of the last 60 s. The pool
    // accepts the 60-s-old one and refuses the 61-s-old one; what the choice
    // is worth depends on how far the price moved in that minute (printed).
    let mut s = scene().await;
    // past the scene's own update: the pool never takes an update older than one it used
    s.w.bank.advance(120);
    s.w.m.post_price(&mut s.w.bank, 150_00000000);
    let feed = s.w.m.feed_id;
    let now = s.w.bank.now();
    let own_oracle = anchor_lang::prelude::Pubkey::new_unique();
    let keys = pool_accounts(&s);
    let (m, tr) = (&s.w.m, &s.trader);
    let buy = ix::ix(
        ix::trade(tr.pubkey(), &m.keys, &s.call, own_oracle, tr.quote, s.trader_options),
        data::Buy { contracts: SOL, max_total_cost: u64::MAX },
    );
    // one minute ago SOL was 1% cheaper than now
    s.w.bank.set_price(&own_oracle, &PriceObservation::new(feed, 148_50000000, now - 61));
    refused_and_unchanged(
        &mut s.w.bank,
        &keys,
        std::slice::from_ref(&buy),
        &[&s.trader.key],
        code(OptionsError::OracleStale),
    )
    .await;
    s.w.bank.set_price(&own_oracle, &PriceObservation::new(feed, 148_50000000, now - 60));
    let fresh = expected_quote(&mut s.w, &s.call, options_math::amm::Side::Buy, SOL).await;
    let q0 = balance(&mut s.w.bank, s.trader.quote).await;
    s.w.bank.process(&[buy], &[&s.trader.key]).await.unwrap();
    let paid = q0 - balance(&mut s.w.bank, s.trader.quote).await;
    println!(
        "oracle age window: 1 call at the 60-s-old price (148.50) cost {paid}, at the fresh price (150) {}: choosing the update saved {} quote units",
        fresh.total,
        fresh.total as i128 - paid as i128
    );
    // the older update is accepted, but the pool's price memory still holds
    // the 150 it used a minute before it: the call is quoted at the dearer
    // end, so the choice saves (almost) nothing; only the book's marks (the
    // vega fee's NAV) see the older price
    let saved = fresh.total as i128 - paid as i128;
    assert!(saved * 1000 <= fresh.total as i128, "choosing the older update saved {saved} of {}", fresh.total);
    check_books(&mut s.w, &[s.call]).await;
}
