//! The `oamm` subcommands that talk to a cluster (or the embedded bank).
pub mod demo;
pub mod events;
pub mod keeper;
pub mod lp;
pub mod migrate;
pub mod pool;
pub mod series;
pub mod settle;
pub mod trade;

use crate::backend::Backend;
use anyhow::Result;
use oamm_sdk::Instruction;
use solana_sdk::pubkey::Pubkey;

/// The wallet's associated token account for `mint`, and the instruction
/// that creates it if it does not exist yet.
pub async fn wallet_token_account(b: &mut Backend, mint: &Pubkey) -> Result<(Pubkey, Option<Instruction>)> {
    use anchor_spl::associated_token::{get_associated_token_address, spl_associated_token_account::instruction};
    let owner = solana_sdk::signer::Signer::pubkey(b.wallet());
    let ata = get_associated_token_address(&owner, mint);
    if b.account(&ata).await?.is_some() {
        return Ok((ata, None));
    }
    let create = instruction::create_associated_token_account_idempotent(&owner, &owner, mint, &anchor_spl::token::ID);
    Ok((ata, Some(create)))
}

/// Fixed-point number for tables, with a sensible number of digits.
pub fn fx(x: options_math::I80F48, digits: usize) -> String {
    format!("{:.*}", digits, x.to_num::<f64>())
}
