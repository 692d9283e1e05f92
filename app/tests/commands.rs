//! `oamm`'s commands driven end to end on the embedded bank: the same
//! command functions the binary runs, their JSON output parsed and checked
//! against the chain state.
#![allow(deprecated)]

use oamm::backend::{Backend, Embedded};
use oamm::commands::{lp, pool};
use oamm_sdk::market::{Market, MarketConfig};
use serde_json::Value;
use solana_sdk::signer::Signer;

const USDC: u64 = 1_000_000;
const T0: i64 = 1_800_000_000;

/// An embedded bank with one market whose admin is the app's wallet, and
/// 1M USDC in the wallet.
async fn setup() -> (Backend, solana_sdk::pubkey::Pubkey) {
    let mut e = Embedded::start(T0).await.unwrap();
    let m = Market::create(&mut e.bank, &MarketConfig::default()).await.unwrap();
    let pool = m.keys.pool;
    // fund the wallet's quote ATA
    let owner = e.wallet.pubkey();
    let ata = anchor_spl::associated_token::get_associated_token_address(&owner, &m.keys.quote_mint);
    let create = anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
        &owner, &owner, &m.keys.quote_mint, &anchor_spl::token::ID,
    );
    e.send(&[create], &[]).await.unwrap();
    e.bank.mint_to(&m.keys.quote_mint, &m.mint_authority, &ata, 1_000_000 * USDC).await.unwrap();
    e.adopt(m);
    (Backend::Embedded(Box::new(e)), pool)
}

#[tokio::test]
async fn pool_show_reports_the_state_the_chain_holds() {
    let (mut b, key) = setup().await;
    let r = lp::run(&mut b, None, lp::LpCommand::Deposit { amount: "100000".into(), slippage_bps: 50 }).await.unwrap();
    assert_eq!(r.json["lp_change"], 100_000 * USDC as i64, "first deposit mints 1:1");
    let r = pool::run(&mut b, pool::PoolCommand::Show, None).await.unwrap();
    let j: &Value = &r.json;
    assert_eq!(j["pool"], key.to_string());
    assert_eq!(j["nav"], 100_000 * USDC as i64);
    assert_eq!(j["lp_supply"], 100_000 * USDC);
    assert_eq!(j["quote_balance"], 100_000 * USDC);
    assert_eq!(j["rebalance"]["due"], false);
    assert!(r.table.contains("NAV per LP token"));
}
