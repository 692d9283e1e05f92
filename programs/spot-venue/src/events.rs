//! Events carry the numbers a dashboard or keeper needs without re-reading
//! accounts: amounts in token base units, reserves after the change.
use anchor_lang::prelude::*;

use crate::state::SwapDirection;

#[event]
pub struct PoolCreated {
    pub pool: Pubkey,
    pub base_mint: Pubkey,
    pub quote_mint: Pubkey,
    pub base_vault: Pubkey,
    pub quote_vault: Pubkey,
    pub lp_mint: Pubkey,
    pub fee_bps: u16,
}

#[event]
pub struct LiquidityAdded {
    pub pool: Pubkey,
    pub provider: Pubkey,
    pub amount_base: u64,
    pub amount_quote: u64,
    pub lp_minted: u64,
    /// LP units locked forever by this deposit (non-zero only on the first).
    pub lp_locked: u64,
    pub reserve_base: u64,
    pub reserve_quote: u64,
    /// LP mint supply after the deposit (excludes the locked units).
    pub lp_supply: u64,
}

#[event]
pub struct LiquidityRemoved {
    pub pool: Pubkey,
    pub provider: Pubkey,
    pub lp_burned: u64,
    pub amount_base: u64,
    pub amount_quote: u64,
    pub reserve_base: u64,
    pub reserve_quote: u64,
    pub lp_supply: u64,
}

#[event]
pub struct Swapped {
    pub pool: Pubkey,
    /// The signer who paid (for the options pool: its PDA).
    pub authority: Pubkey,
    pub direction: SwapDirection,
    /// Source-mint units paid, fee included.
    pub amount_in: u64,
    /// Destination-mint units received.
    pub amount_out: u64,
    /// Source-mint units of `amount_in` kept as fee (stays with LPs).
    pub fee: u64,
    pub reserve_base: u64,
    pub reserve_quote: u64,
}
