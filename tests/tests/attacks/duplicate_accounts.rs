//! Duplicate mutable accounts: the same vault passed in two writable slots
//! (the pool's vault as the user's wallet, the quote vault as the hedge
//! vault). Anchor 1.x refuses duplicates among writable typed accounts
//! itself (ConstraintDuplicateMutableAccount) before any constraint runs.
//! Its check skips UncheckedAccount slots: the one place that matters here,
//! the keeper's reward account doubling as the venue's quote vault, is
//! shown to be harmless (a donation to the venue), not an extraction.
use super::support::*;
use crate::common::*;
use anchor_lang::error::ErrorCode as AnchorCode;
use oamm_sdk::ix::{self, data};
use oamm_sdk::Instruction;
use options_amm::error::OptionsError;
use solana_sdk::signature::Keypair;

#[tokio::test]
async fn a_pool_vault_passed_twice_is_refused_everywhere() {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap();
    let keys = pool_accounts(&s);
    let (m, tr, lp, k) = (&s.w.m, &s.trader, &s.w.lp, &s.keeper);
    let vault = m.keys.quote_vault;

    let mut d = ix::deposit(lp.pubkey(), &m.keys, m.oracle, lp.quote, lp.lp);
    d.depositor_quote = vault; // "deposit" the pool's own quote
    let mut w = ix::withdraw(lp.pubkey(), &m.keys, m.oracle, lp.lp, lp.quote);
    w.owner_quote = vault; // pay the withdrawal back into the vault, books debited
    let mut b = ix::trade(tr.pubkey(), &m.keys, &s.call, m.oracle, tr.quote, s.trader_options);
    b.trader_quote = vault;
    let mut r1 = ix::rebalance(k.pubkey(), &m.keys, m.oracle, k.quote, &m.venue);
    r1.hedge_vault = vault; // one account as both sides of the hedge
    let mut r2 = ix::rebalance(k.pubkey(), &m.keys, m.oracle, k.quote, &m.venue);
    r2.keeper_quote = vault; // the reward paid to the vault itself
    let mut r3 = ix::rebalance(k.pubkey(), &m.keys, m.oracle, k.quote, &m.venue);
    r3.keeper_quote = m.keys.hedge_vault;
    let cases: Vec<(Instruction, &Keypair)> = vec![
        (ix::ix(d, data::Deposit { quote_amount: USDC, min_lp_out: 0 }), &lp.key),
        (ix::ix(w, data::Withdraw { lp_amount: USDC, min_quote_out: 0 }), &lp.key),
        (ix::ix(b, data::Buy { contracts: SOL, max_total_cost: u64::MAX }), &tr.key),
        (ix::ix(b, data::Sell { contracts: SOL, min_total_proceeds: 0 }), &tr.key),
        (ix::ix(r1, data::Rebalance {}), &k.key),
        (ix::ix(r2, data::Rebalance {}), &k.key),
        (ix::ix(r3, data::Rebalance {}), &k.key),
    ];
    for (c, signer) in cases {
        refused_and_unchanged(
            &mut s.w.bank,
            &keys,
            &[c],
            &[signer],
            anchor(AnchorCode::ConstraintDuplicateMutableAccount),
        )
        .await;
    }

    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 160_00000000);
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    let tr = &s.trader;
    let mut r = ix::redeem(tr.pubkey(), &s.w.m.keys, &s.call, s.trader_options, tr.quote);
    r.holder_quote = s.w.m.keys.quote_vault;
    let redeem = ix::ix(r, data::Redeem { contracts: SOL });
    refused_and_unchanged(
        &mut s.w.bank,
        &keys,
        &[redeem],
        &[&tr.key],
        anchor(AnchorCode::ConstraintDuplicateMutableAccount),
    )
    .await;
}

#[tokio::test]
async fn the_venues_vaults_cannot_be_passed_twice_or_crossed() {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap();
    let keys = pool_accounts(&s);
    let k = &s.keeper;
    let v = s.w.m.venue;
    for (base, quote) in [(v.quote_vault, v.quote_vault), (v.base_vault, v.base_vault)] {
        let mut a = ix::rebalance(k.pubkey(), &s.w.m.keys, s.w.m.oracle, k.quote, &s.w.m.venue);
        (a.venue_base_vault, a.venue_quote_vault) = (base, quote);
        refused_and_unchanged(
            &mut s.w.bank,
            &keys,
            &[ix::ix(a, data::Rebalance {})],
            &[&k.key],
            code(OptionsError::WrongVenueVault),
        )
        .await;
    }
}

#[tokio::test]
async fn a_keeper_reward_sent_to_the_venues_quote_vault_is_a_donation_not_an_extraction() {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap();
    let v = s.w.m.venue;
    let venue0 = s.w.m.venue_pool(&mut s.w.bank).await.unwrap();
    let vault0 = balance(&mut s.w.bank, v.quote_vault).await;
    let pool0 = s.w.m.pool(&mut s.w.bank).await.unwrap();
    let k = &s.keeper;
    let mut a = ix::rebalance(k.pubkey(), &s.w.m.keys, s.w.m.oracle, k.quote, &v);
    a.keeper_quote = v.quote_vault; // an UncheckedAccount slot and a typed one: Anchor does not compare them
    s.w.bank.process(&[ix::ix(a, data::Rebalance {})], &[&k.key]).await.unwrap();

    let venue1 = s.w.m.venue_pool(&mut s.w.bank).await.unwrap();
    let vault1 = balance(&mut s.w.bank, v.quote_vault).await;
    let pool1 = s.w.m.pool(&mut s.w.bank).await.unwrap();
    let paid_for_swap = venue1.reserve_quote - venue0.reserve_quote;
    let reward = pool1.total_keeper_rewards - pool0.total_keeper_rewards;
    // the pool paid the swap and the ordinary reward, nothing more
    assert_eq!(pool0.quote_balance - pool1.quote_balance, paid_for_swap + reward);
    let expected = options_amm::manager::hedge::keeper_reward(
        &pool0.params.hedge,
        paid_for_swap,
        pool1.quote_balance + reward - pool0.reserved_payouts,
    );
    assert_eq!(reward, expected);
    // the reward sits in the venue's vault outside its reserves: the keeper gave it away
    assert_eq!(vault1 - vault0, paid_for_swap + reward);
    println!("keeper reward {reward} quote base units donated to the venue's vault instead of the keeper");
    check_books(&mut s.w, &[s.call]).await;
}
