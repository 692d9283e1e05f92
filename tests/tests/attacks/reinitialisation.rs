//! Re-initialisation: no instruction can write a pool or series over one
//! that exists, and the admin's parameter update cannot touch the books.
//!
//! Pools and series are created by the program's own `create::Creator`,
//! which refuses any address that already holds data with
//! `AccountAlreadyExists`, and accepts an address someone pre-funded (the
//! addresses are predictable PDAs: with Anchor 1.2's `init`, a few lamports
//! sent there first blocked the creation for good on this runtime).
use super::support::*;
use crate::common::*;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::system_instruction;
use oamm_sdk::ix::{self, data};
use oamm_sdk::pda::{PoolKeys, SeriesKeys};
use options_amm::error::OptionsError;
use options_amm::state::Kind;
use solana_sdk::signature::{Keypair, Signer};

#[tokio::test]
async fn initialize_pool_over_a_live_pool_is_refused_and_its_books_survive() {
    let mut s = scene().await;
    let attacker = s.w.bank.funded_keypair(10).await.unwrap();
    // the attacker's parameters: their own venue and a zero reserve
    let mut params = oamm_sdk::market::default_params(s.w.m.feed_id, Pubkey::new_unique());
    params.risk.solvency_reserve_bps = 0;
    let keys = pool_accounts(&s);
    let before = state_of(&mut s.w.bank, &keys).await;
    let pool0 = s.w.m.pool(&mut s.w.bank).await.unwrap();
    // the attacker cannot even name the pool (its address is its creator's);
    // its own admin cannot create it twice
    let init =
        ix::ix(ix::initialize_pool(attacker.pubkey(), &s.w.m.keys), data::InitializePool { params: params.clone() });
    expect_anchor(s.w.bank.process(&[init], &[&attacker]).await, anchor_lang::error::ErrorCode::ConstraintSeeds);
    let admin = &s.w.m.admin;
    let init =
        ix::ix(ix::initialize_pool(admin.pubkey(), &s.w.m.keys), data::InitializePool { params: params.clone() });
    expect_err(s.w.bank.process(&[init], &[admin]).await, OptionsError::AccountAlreadyExists);
    assert_eq!(before, state_of(&mut s.w.bank, &keys).await);
    let pool1 = s.w.m.pool(&mut s.w.bank).await.unwrap();
    assert_eq!(
        (pool1.admin, pool1.quote_balance, pool1.live_series),
        (pool0.admin, pool0.quote_balance, pool0.live_series)
    );
}

#[tokio::test]
async fn create_series_over_a_listed_series_is_refused_and_its_open_interest_survives() {
    let mut s = scene().await;
    let keys = pool_accounts(&s);
    let before = state_of(&mut s.w.bank, &keys).await;
    let again = s.w.m.list_series(&mut s.w.bank, 150 * USDC, EXPIRY, Kind::Call).await.map(|_| ());
    expect_err(again, OptionsError::AccountAlreadyExists);
    assert_eq!(before, state_of(&mut s.w.bank, &keys).await);
    assert_eq!(s.w.m.series(&mut s.w.bank, &s.call).await.unwrap().open_interest, 5 * SOL);
}

#[tokio::test]
async fn a_parameter_update_cannot_reset_the_books_or_orphan_live_series() {
    let mut s = scene().await;
    let pool0 = s.w.m.pool(&mut s.w.bank).await.unwrap();
    let mut params = pool0.params.clone();
    params.fees.min_fee = 0;
    s.w.m.change_params(&mut s.w.bank, params.clone()).await.unwrap();
    let pool1 = s.w.m.pool(&mut s.w.bank).await.unwrap();
    assert_eq!(
        (pool1.quote_balance, pool1.hedge_balance, pool1.reserved_payouts, pool1.live_series, pool1.total_fees),
        (pool0.quote_balance, pool0.hedge_balance, pool0.reserved_payouts, pool0.live_series, pool0.total_fees),
        "only the parameters changed"
    );
    // fewer live-series slots than live series would strand one
    s.w.m.list_series(&mut s.w.bank, 140 * USDC, EXPIRY, Kind::Put).await.unwrap();
    params.risk.max_live_series = 1;
    let keys = pool_accounts(&s);
    let upd = ix::ix(ix::admin_params(s.w.m.admin.pubkey(), &s.w.m.keys), data::UpdatePoolParams { params });
    refused_and_unchanged(&mut s.w.bank, &keys, &[upd], &[&s.w.m.admin], code(OptionsError::InvalidRiskParams)).await;
}

#[tokio::test]
async fn a_pda_prefunded_by_a_stranger_still_lists_and_the_dust_counts_toward_rent() {
    // The griefing attempt: the PDA of a series (or of a whole pool) is known
    // before it exists, and anyone can send lamports there first.
    let mut s = scene().await;
    let payer = s.w.bank.payer().pubkey();
    // the least a system account may hold (rent-exempt at zero bytes), 0.00089 SOL
    let dust = anchor_lang::prelude::Rent::default().minimum_balance(0);
    let future = SeriesKeys::derive(&s.w.m.keys.pool, EXPIRY, 145 * USDC, Kind::Put);
    s.w.bank.process(&[system_instruction::transfer(&payer, &future.series, dust)], &[]).await.unwrap();
    s.w.bank.process(&[system_instruction::transfer(&payer, &future.option_mint, dust)], &[]).await.unwrap();
    let admin = s.w.m.admin.pubkey();
    let admin0 = s.w.bank.lamports(&admin).await.unwrap();
    s.w.m.list_series(&mut s.w.bank, 145 * USDC, EXPIRY, Kind::Put).await.unwrap();
    let series_rent = anchor_lang::prelude::Rent::default()
        .minimum_balance(8 + <options_amm::state::Series as anchor_lang::Space>::INIT_SPACE);
    let mint_rent =
        anchor_lang::prelude::Rent::default().minimum_balance(anchor_spl::token::spl_token::state::Mint::LEN);
    assert_eq!(s.w.bank.lamports(&future.series).await.unwrap(), series_rent, "topped up to exactly rent-exempt");
    assert_eq!(
        admin0 - s.w.bank.lamports(&admin).await.unwrap(),
        series_rent + mint_rent - 2 * dust,
        "the admin paid only the rest"
    );
    assert_eq!(s.w.m.series(&mut s.w.bank, &future).await.unwrap().strike_quote, 145 * USDC);

    // the same against the pool PDA of a mint pair nobody has used yet
    let auth = Keypair::new();
    let u = s.w.bank.create_mint(&auth.pubkey(), 9).await.unwrap();
    let q = s.w.bank.create_mint(&auth.pubkey(), 6).await.unwrap();
    let admin = s.w.bank.funded_keypair(10).await.unwrap();
    let keys = PoolKeys::derive(u, q, admin.pubkey());
    for k in [keys.pool, keys.greek_cache, keys.lp_mint, keys.quote_vault, keys.hedge_vault] {
        s.w.bank.process(&[system_instruction::transfer(&payer, &k, dust)], &[]).await.unwrap();
    }
    let params = oamm_sdk::market::default_params([1; 32], Pubkey::new_unique());
    let init = ix::ix(ix::initialize_pool(admin.pubkey(), &keys), data::InitializePool { params });
    s.w.bank.process(&[init], &[&admin]).await.unwrap();
    let pool: options_amm::state::Pool = s.w.bank.anchor(&keys.pool).await.unwrap();
    assert_eq!(pool.admin, admin.pubkey());
}
