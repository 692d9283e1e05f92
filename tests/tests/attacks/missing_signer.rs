//! Missing signer: every instruction that moves a user's tokens or changes
//! the pool's configuration needs that user's (or the admin's) signature,
//! and a signature by someone else does not unlock the victim's accounts.
use super::support::*;
use crate::common::*;
use anchor_lang::error::ErrorCode as AnchorCode;
use oamm_sdk::ix::{self, data};
use options_amm::error::OptionsError;
use options_amm::state::Kind;
use solana_sdk::signature::Signer;

#[tokio::test]
async fn lp_flows_without_the_owners_signature_are_refused() {
    let mut s = scene().await;
    let attacker = s.w.m.new_actor(&mut s.w.bank, 1_000 * USDC).await.unwrap();
    let keys = pool_accounts(&s);
    let (m, lp) = (&s.w.m, &s.w.lp);

    // deposit the victim's quote (minting LP to the attacker) without the victim's signature
    let acc = ix::deposit(lp.pubkey(), &m.keys, m.oracle, lp.quote, attacker.lp);
    let dep = unsigned(ix::ix(acc, data::Deposit { quote_amount: USDC, min_lp_out: 0 }), &lp.pubkey());
    refused_and_unchanged(&mut s.w.bank, &keys, &[dep], &[], anchor(AnchorCode::AccountNotSigner)).await;

    // burn the victim's LP and pay the attacker
    let acc = ix::withdraw(lp.pubkey(), &m.keys, m.oracle, lp.lp, attacker.quote);
    let wd = unsigned(ix::ix(acc, data::Withdraw { lp_amount: USDC, min_quote_out: 0 }), &lp.pubkey());
    refused_and_unchanged(&mut s.w.bank, &keys, &[wd], &[], anchor(AnchorCode::AccountNotSigner)).await;
}

#[tokio::test]
async fn signing_as_yourself_does_not_unlock_the_victims_token_accounts() {
    let mut s = scene().await;
    let mut attacker = s.w.m.new_actor(&mut s.w.bank, 1_000 * USDC).await.unwrap();
    let atk_options = s.w.m.option_account(&mut s.w.bank, &mut attacker, &s.call).await.unwrap();
    let keys = pool_accounts(&s);
    let m = &s.w.m;
    let (lp, tr) = (&s.w.lp, &s.trader);
    let wrong_owner = code(OptionsError::WrongTokenOwner);

    // the attacker signs, but spends the victim's quote on a deposit
    let acc = ix::deposit(attacker.pubkey(), &m.keys, m.oracle, lp.quote, attacker.lp);
    let dep = ix::ix(acc, data::Deposit { quote_amount: USDC, min_lp_out: 0 });
    refused_and_unchanged(&mut s.w.bank, &keys, &[dep], &[&attacker.key], wrong_owner).await;

    // ... burns the victim's LP tokens
    let acc = ix::withdraw(attacker.pubkey(), &m.keys, m.oracle, lp.lp, attacker.quote);
    let wd = ix::ix(acc, data::Withdraw { lp_amount: USDC, min_quote_out: 0 });
    refused_and_unchanged(&mut s.w.bank, &keys, &[wd], &[&attacker.key], wrong_owner).await;

    // ... pays for options with the victim's quote
    let acc = ix::trade(attacker.pubkey(), &m.keys, &s.call, m.oracle, tr.quote, atk_options);
    let buy = ix::ix(acc, data::Buy { contracts: SOL, max_total_cost: u64::MAX });
    refused_and_unchanged(&mut s.w.bank, &keys, &[buy], &[&attacker.key], wrong_owner).await;

    // ... sells the victim's options
    let acc = ix::trade(attacker.pubkey(), &m.keys, &s.call, m.oracle, attacker.quote, s.trader_options);
    let sell = ix::ix(acc, data::Sell { contracts: SOL, min_total_proceeds: 0 });
    refused_and_unchanged(&mut s.w.bank, &keys, &[sell], &[&attacker.key], wrong_owner).await;
}

#[tokio::test]
async fn trades_and_redemptions_without_the_holders_signature_are_refused() {
    let mut s = scene().await;
    let attacker = s.w.m.new_actor(&mut s.w.bank, 0).await.unwrap();
    let keys = pool_accounts(&s);
    let m = &s.w.m;
    let tr = &s.trader;
    let not_signer = anchor(AnchorCode::AccountNotSigner);

    // buy with the victim's quote, sell the victim's options
    let acc = ix::trade(tr.pubkey(), &m.keys, &s.call, m.oracle, tr.quote, s.trader_options);
    let buy = unsigned(ix::ix(acc, data::Buy { contracts: SOL, max_total_cost: u64::MAX }), &tr.pubkey());
    refused_and_unchanged(&mut s.w.bank, &keys, &[buy], &[], not_signer).await;
    let sell = unsigned(ix::ix(acc, data::Sell { contracts: SOL, min_total_proceeds: 0 }), &tr.pubkey());
    refused_and_unchanged(&mut s.w.bank, &keys, &[sell], &[], not_signer).await;

    // after settlement: redeem the victim's options into the attacker's wallet
    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 170_00000000);
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    let acc = ix::redeem(tr.pubkey(), &s.w.m.keys, &s.call, s.trader_options, attacker.quote);
    let redeem = unsigned(ix::ix(acc, data::Redeem { contracts: SOL }), &tr.pubkey());
    refused_and_unchanged(&mut s.w.bank, &keys, &[redeem], &[], not_signer).await;
    // signing as the attacker does not help: the option account is the victim's
    let acc = ix::redeem(attacker.pubkey(), &s.w.m.keys, &s.call, s.trader_options, attacker.quote);
    let redeem = ix::ix(acc, data::Redeem { contracts: SOL });
    refused_and_unchanged(&mut s.w.bank, &keys, &[redeem], &[&attacker.key], code(OptionsError::WrongTokenOwner)).await;
}

#[tokio::test]
async fn rebalance_needs_its_keepers_signature() {
    let mut s = scene().await;
    let mut t = s.w.m.new_actor(&mut s.w.bank, 100_000 * USDC).await.unwrap();
    s.w.m.buy(&mut s.w.bank, &mut t, &s.call, 40 * SOL, u64::MAX).await.unwrap();
    let keys = pool_accounts(&s);
    let k = &s.keeper;
    let acc = ix::rebalance(k.pubkey(), &s.w.m.keys, s.w.m.oracle, k.quote, &s.w.m.venue);
    let rb = unsigned(ix::ix(acc, data::Rebalance {}), &k.pubkey());
    refused_and_unchanged(&mut s.w.bank, &keys, &[rb], &[], anchor(AnchorCode::AccountNotSigner)).await;
}

#[tokio::test]
async fn admin_instructions_need_the_admins_signature_and_no_one_elses_will_do() {
    let mut s = scene().await;
    let attacker = s.w.bank.funded_keypair(10).await.unwrap();
    let keys = pool_accounts(&s);
    let m = &s.w.m;
    let admin = m.admin.pubkey();
    let mut params = m.pool(&mut s.w.bank).await.unwrap().params;
    params.fees.option_price_fee_bps = 9_999; // what an attacker would set
    let new_series = oamm_sdk::pda::SeriesKeys::derive(&m.keys.pool, EXPIRY, 140 * USDC, Kind::Put);
    let list = || data::CreateSeries { strike_quote: 140 * USDC, expiry: EXPIRY, kind: Kind::Put };
    let not_signer = anchor(AnchorCode::AccountNotSigner);
    let unauthorized = code(OptionsError::Unauthorized);

    // the admin's key without its signature
    let upd =
        unsigned(ix::ix(ix::admin_params(admin, &m.keys), data::UpdatePoolParams { params: params.clone() }), &admin);
    let pause = unsigned(ix::ix(ix::set_paused(admin, &m.keys), data::SetPaused { paused: 7 }), &admin);
    let create = unsigned(ix::ix(ix::create_series(admin, &m.keys, &new_series), list()), &admin);
    let propose = unsigned(
        ix::ix(ix::propose_params(admin, &m.keys), data::ProposePoolParams { params: params.clone() }),
        &admin,
    );
    let apply = unsigned(ix::ix(ix::apply_params(admin, &m.keys), data::ApplyPoolParams {}), &admin);
    let cancel = unsigned(ix::ix(ix::cancel_params(admin, &m.keys), data::CancelPoolParams {}), &admin);
    let hand_over =
        unsigned(ix::ix(ix::propose_admin(admin, &m.keys), data::ProposeAdmin { proposed: attacker.pubkey() }), &admin);
    let guardian =
        unsigned(ix::ix(ix::set_guardian(admin, &m.keys), data::SetGuardian { guardian: attacker.pubkey() }), &admin);
    for ixn in [upd, pause, propose, apply, cancel, hand_over, guardian] {
        refused_and_unchanged(&mut s.w.bank, &keys, &[ixn], &[], not_signer).await;
    }
    // create_series: the admin also pays for the accounts, and an unsigned payer fails first
    let mut keys_and_series = keys.clone();
    keys_and_series.push(new_series.series);
    refused_and_unchanged(&mut s.w.bank, &keys_and_series, &[create], &[], not_signer).await;

    // the attacker's own signature in the admin's place
    let me = attacker.pubkey();
    let upd = ix::ix(ix::admin_params(me, &m.keys), data::UpdatePoolParams { params });
    let pause = ix::ix(ix::set_paused(me, &m.keys), data::SetPaused { paused: 7 });
    let create = ix::ix(ix::create_series(me, &m.keys, &new_series), list());
    for ixn in [upd, create] {
        refused_and_unchanged(&mut s.w.bank, &keys_and_series, &[ixn], &[&attacker], unauthorized).await;
    }
    let not_admin_or_guardian = code(OptionsError::NotAdminOrGuardian);
    refused_and_unchanged(&mut s.w.bank, &keys_and_series, &[pause], &[&attacker], not_admin_or_guardian).await;

    // close_series is permissionless, but the rent can only go to the admin
    s.w.bank.set_time(EXPIRY + 10);
    s.w.m.post_price(&mut s.w.bank, 140_00000000); // OTM: nothing to redeem
    s.w.m.settle(&mut s.w.bank, &s.call).await.unwrap();
    s.w.m.redeem(&mut s.w.bank, &mut s.trader, &s.call, 5 * SOL).await.unwrap();
    let close = ix::ix(ix::close_series(&s.w.m.keys, &s.call, me), data::CloseSeries {});
    refused_and_unchanged(&mut s.w.bank, &keys, &[close], &[], unauthorized).await;
    s.w.m.close_series(&mut s.w.bank, &s.call).await.unwrap();
}

#[tokio::test]
async fn initialize_pool_needs_the_payers_signature() {
    let mut bank = oamm_sdk::bank::Bank::start(T0).await;
    let mint_auth = solana_sdk::signature::Keypair::new();
    let u = bank.create_mint(&mint_auth.pubkey(), 9).await.unwrap();
    let q = bank.create_mint(&mint_auth.pubkey(), 6).await.unwrap();
    let admin = bank.funded_keypair(10).await.unwrap();
    let keys = oamm_sdk::pda::PoolKeys::derive(u, q, admin.pubkey());
    let params = oamm_sdk::market::default_params([1; 32], anchor_lang::prelude::Pubkey::new_unique());
    let init =
        unsigned(ix::ix(ix::initialize_pool(admin.pubkey(), &keys), data::InitializePool { params }), &admin.pubkey());
    expect_anchor(bank.process(&[init], &[]).await, AnchorCode::AccountNotSigner);
    assert!(bank.account(&keys.pool).await.unwrap().is_none());
}
