//! Re-initialisation: no instruction can write a pool or series over one
//! that exists (the only writer of a fresh account is Anchor's `init`, and
//! the system program will not create over a program-owned account), and
//! the admin's parameter update cannot touch the books.
//!
//! Note on the exact error: for an account that already holds lamports,
//! Anchor 1.x's `init` calls the system program's CreateAccountAllowPrefund.
//! The bank of solana-program-test 3.1 does not know that instruction and
//! answers InvalidInstructionData; a cluster that knows it refuses an
//! account owned by another program with SystemError::AccountAlreadyInUse.
//! Either way the old account is untouched, which is what these tests prove.
//!
//! The same mechanism makes `init` a griefing target: anyone can send a few
//! lamports to a pool or series PDA before it exists. In this runtime that
//! blocks its creation for good (the PDA is fixed by its seeds); see the
//! last test and the README.
use super::support::*;
use crate::common::*;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::system_instruction;
use oamm_sdk::ix::{self, data};
use oamm_sdk::pda::{PoolKeys, SeriesKeys};
use options_amm::error::OptionsError;
use options_amm::state::Kind;
use solana_sdk::instruction::InstructionError;
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
    for admin in [&attacker, &s.w.m.admin] {
        let init = ix::ix(ix::initialize_pool(admin.pubkey(), &s.w.m.keys), data::InitializePool { params: params.clone() });
        expect_ix_error(s.w.bank.process(&[init], &[admin]).await, InstructionError::InvalidInstructionData);
    }
    assert_eq!(before, state_of(&mut s.w.bank, &keys).await);
    let pool1 = s.w.m.pool(&mut s.w.bank).await.unwrap();
    assert_eq!((pool1.admin, pool1.quote_balance, pool1.live_series), (pool0.admin, pool0.quote_balance, pool0.live_series));
}

#[tokio::test]
async fn create_series_over_a_listed_series_is_refused_and_its_open_interest_survives() {
    let mut s = scene().await;
    let keys = pool_accounts(&s);
    let before = state_of(&mut s.w.bank, &keys).await;
    let again = s.w.m.list_series(&mut s.w.bank, 150 * USDC, EXPIRY, Kind::Call).await.map(|_| ());
    expect_ix_error(again, InstructionError::InvalidInstructionData);
    assert_eq!(before, state_of(&mut s.w.bank, &keys).await);
    assert_eq!(s.w.m.series(&mut s.w.bank, &s.call).await.unwrap().open_interest, 5 * SOL);
}

#[tokio::test]
async fn a_parameter_update_cannot_reset_the_books_or_orphan_live_series() {
    let mut s = scene().await;
    let pool0 = s.w.m.pool(&mut s.w.bank).await.unwrap();
    let mut params = pool0.params.clone();
    params.fees.min_fee = 0;
    s.w.m.update_params(&mut s.w.bank, params.clone()).await.unwrap();
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
async fn a_rent_exempt_dust_transfer_to_a_future_pda_blocks_its_init_in_this_runtime() {
    // Griefing, not theft: the PDA of a series (or of a whole pool) is known
    // before it exists; prefunding it makes Anchor's init take the
    // CreateAccountAllowPrefund path, which this bank refuses.
    let mut s = scene().await;
    let payer = s.w.bank.payer().pubkey();
    // the least a system account may hold (rent-exempt at zero bytes), 0.00089 SOL
    let dust = anchor_lang::prelude::Rent::default().minimum_balance(0);
    let future = SeriesKeys::derive(&s.w.m.keys.pool, EXPIRY, 145 * USDC, Kind::Put);
    s.w.bank.process(&[system_instruction::transfer(&payer, &future.series, dust)], &[]).await.unwrap();
    let r = s.w.m.list_series(&mut s.w.bank, 145 * USDC, EXPIRY, Kind::Put).await.map(|_| ());
    expect_ix_error(r, InstructionError::InvalidInstructionData);
    // any other strike or expiry still lists
    s.w.m.list_series(&mut s.w.bank, 146 * USDC, EXPIRY, Kind::Put).await.unwrap();

    // the same against the pool PDA of a mint pair nobody has used yet
    let auth = Keypair::new();
    let u = s.w.bank.create_mint(&auth.pubkey(), 9).await.unwrap();
    let q = s.w.bank.create_mint(&auth.pubkey(), 6).await.unwrap();
    let keys = PoolKeys::derive(u, q);
    s.w.bank.process(&[system_instruction::transfer(&payer, &keys.pool, dust)], &[]).await.unwrap();
    let admin = s.w.bank.funded_keypair(10).await.unwrap();
    let params = oamm_sdk::market::default_params([1; 32], Pubkey::new_unique());
    let init = ix::ix(ix::initialize_pool(admin.pubkey(), &keys), data::InitializePool { params });
    expect_ix_error(s.w.bank.process(&[init], &[&admin]).await, InstructionError::InvalidInstructionData);
}
