//! Type cosplay: an account of the right owner but another TYPE passed where
//! a pool, series, greek cache, price update, mint or token account is
//! expected, including one padded to exactly the expected type's size.
//! Anchor's 8-byte discriminators (and SPL Token's exact-length unpack) tell
//! them apart; size alone never does.
use super::support::*;
use crate::common::*;
use anchor_lang::error::ErrorCode as AnchorCode;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::{Discriminator, Space};
use oamm_sdk::ix::{self, data};
use options_amm::state::{Pool, Series};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use solana_sdk::instruction::InstructionError;

#[tokio::test]
async fn program_accounts_of_one_type_are_refused_as_another() {
    let mut s = scene().await;
    let keys = pool_accounts(&s);
    let (m, tr) = (&s.w.m, &s.trader);
    let mismatch = anchor(AnchorCode::AccountDiscriminatorMismatch);
    let trade = ix::trade(tr.pubkey(), &m.keys, &s.call, m.oracle, tr.quote, s.trader_options);
    let buy = |a| ix::ix(a, data::Buy { contracts: SOL, max_total_cost: u64::MAX });

    let mut cases = Vec::new();
    let mut a = trade;
    a.pool = s.call.series; // a series dressed as the pool
    cases.push(buy(a));
    let mut a = trade;
    a.series = m.keys.pool; // the pool dressed as a series
    cases.push(buy(a));
    let mut a = trade;
    a.greek_cache = m.keys.pool; // the pool as the zero-copy cache
    cases.push(buy(a));
    let mut a = trade;
    a.pool = m.keys.greek_cache; // the cache as the pool
    cases.push(buy(a));
    for c in cases {
        refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[&s.trader.key], mismatch).await;
    }
}

#[tokio::test]
async fn a_series_padded_to_the_exact_size_of_a_pool_is_still_not_a_pool() {
    let mut s = scene().await;
    let pool_len = 8 + Pool::INIT_SPACE;
    let mut bytes = s.w.bank.account(&s.call.series).await.unwrap().unwrap().data;
    assert_ne!(bytes.len(), pool_len, "the sizes differ, so the padding below is meaningful");
    bytes.resize(pool_len, 0);
    assert_eq!(&bytes[..8], Series::DISCRIMINATOR);
    // owned by the options program itself: only the discriminator can tell
    let fake_pool = forge(&mut s.w.bank, bytes, options_amm::ID);
    let keys = pool_accounts(&s);
    let (m, tr) = (&s.w.m, &s.trader);
    let mut a = ix::deposit(tr.pubkey(), &m.keys, m.oracle, tr.quote, tr.lp);
    a.pool = fake_pool;
    let dep = ix::ix(a, data::Deposit { quote_amount: USDC, min_lp_out: 0 });
    refused_and_unchanged(
        &mut s.w.bank,
        &keys,
        &[dep],
        &[&s.trader.key],
        anchor(AnchorCode::AccountDiscriminatorMismatch),
    )
    .await;
}

#[tokio::test]
async fn a_receiver_owned_account_of_price_update_size_but_another_type_is_refused() {
    let mut s = scene().await;
    // right owner (the Pyth receiver), right length, another discriminator
    let mut bytes = oamm_sdk::pyth::price_update_data(&oamm_sdk::pyth::PriceObservation::new(
        s.w.m.feed_id,
        1_00000000,
        s.w.bank.now(),
    ));
    assert_eq!(bytes.len(), PriceUpdateV2::LEN);
    bytes[..8].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3]);
    let fake = forge(&mut s.w.bank, bytes, pyth_solana_receiver_sdk::ID);
    // and accounts of our own program or SPL Token in its place fail on the owner
    let pool_as_price = s.w.m.keys.pool;
    let mint_as_price = s.w.m.keys.quote_mint;
    let keys = pool_accounts(&s);
    let (m, tr) = (&s.w.m, &s.trader);
    let buy = |price| {
        ix::ix(
            ix::trade(tr.pubkey(), &m.keys, &s.call, price, tr.quote, s.trader_options),
            data::Buy { contracts: SOL, max_total_cost: u64::MAX },
        )
    };
    let cases = [
        (buy(fake), anchor(AnchorCode::AccountDiscriminatorMismatch)),
        (buy(pool_as_price), anchor(AnchorCode::AccountOwnedByWrongProgram)),
        (buy(mint_as_price), anchor(AnchorCode::AccountOwnedByWrongProgram)),
    ];
    for (c, e) in cases {
        refused_and_unchanged(&mut s.w.bank, &keys, &[c], &[&s.trader.key], e).await;
    }
}

#[tokio::test]
async fn mints_and_token_accounts_are_not_interchangeable() {
    let mut s = scene().await;
    let keys = pool_accounts(&s);
    let (m, lp) = (&s.w.m, &s.w.lp);
    // SPL Token owns both; their lengths (82 vs 165) and layouts differ and
    // the unpack refuses the wrong one with InvalidAccountData
    let mut a = ix::deposit(lp.pubkey(), &m.keys, m.oracle, lp.quote, lp.lp);
    a.depositor_quote = m.keys.quote_mint; // the mint as the depositor's token account
    let mint_as_account = ix::ix(a, data::Deposit { quote_amount: USDC, min_lp_out: 0 });
    let mut a = ix::deposit(lp.pubkey(), &m.keys, m.oracle, lp.quote, lp.lp);
    a.lp_mint = lp.quote; // a token account as the LP mint
    let account_as_mint = ix::ix(a, data::Deposit { quote_amount: USDC, min_lp_out: 0 });
    for c in [mint_as_account, account_as_mint] {
        let before = state_of(&mut s.w.bank, &keys).await;
        expect_ix_error(s.w.bank.process(&[c], &[&s.w.lp.key]).await, InstructionError::InvalidAccountData);
        assert_eq!(before, state_of(&mut s.w.bank, &keys).await);
    }
    // an SPL-owned account of a token account's exact length holding a mint's bytes
    let mut bytes = s.w.bank.account(&s.w.m.keys.quote_mint).await.unwrap().unwrap().data;
    bytes.resize(anchor_spl::token::spl_token::state::Account::LEN, 0);
    let padded_mint = forge(&mut s.w.bank, bytes, anchor_spl::token::ID);
    let mut a = ix::deposit(s.w.lp.pubkey(), &s.w.m.keys, s.w.m.oracle, s.w.lp.quote, s.w.lp.lp);
    a.depositor_quote = padded_mint;
    let c = ix::ix(a, data::Deposit { quote_amount: USDC, min_lp_out: 0 });
    // the padded bytes have an uninitialised token-account state byte
    expect_ix_error(s.w.bank.process(&[c], &[&s.w.lp.key]).await, InstructionError::UninitializedAccount);
}
