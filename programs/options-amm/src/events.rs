//! Events: every state change, with the numbers a dashboard needs. Fixed
//! point values are I80F48 bits (`_bits`); amounts are base units.
use crate::state::PoolParams;
use anchor_lang::prelude::*;

#[event]
#[derive(Debug)]
pub struct PoolInitialized {
    pub pool: Pubkey,
    pub admin: Pubkey,
    pub underlying_mint: Pubkey,
    pub quote_mint: Pubkey,
    pub feed_id: [u8; 32],
}

/// New parameters in force: at once (`update_pool_params`, a tightening)
/// or after the timelock (`apply_pool_params`).
#[event]
#[derive(Debug)]
pub struct PoolParamsUpdated {
    pub pool: Pubkey,
    pub old: PoolParams,
    pub new: PoolParams,
}

/// A change proposed; it can be applied at or after `eta` (unix seconds).
#[event]
#[derive(Debug)]
pub struct PoolParamsProposed {
    pub pool: Pubkey,
    pub eta: i64,
    pub old: PoolParams,
    pub new: PoolParams,
}

#[event]
#[derive(Debug)]
pub struct PoolParamsCancelled {
    pub pool: Pubkey,
    pub by: Pubkey,
}

#[event]
#[derive(Debug)]
pub struct PauseSet {
    pub pool: Pubkey,
    pub paused: u8,
    /// The admin or the guardian.
    pub by: Pubkey,
}

/// `proposed` may take the admin role by signing `accept_admin` (default:
/// a proposal withdrawn).
#[event]
#[derive(Debug)]
pub struct AdminProposed {
    pub pool: Pubkey,
    pub admin: Pubkey,
    pub proposed: Pubkey,
}

#[event]
#[derive(Debug)]
pub struct AdminAccepted {
    pub pool: Pubkey,
    pub old_admin: Pubkey,
    pub new_admin: Pubkey,
}

/// Default: no guardian.
#[event]
#[derive(Debug)]
pub struct GuardianSet {
    pub pool: Pubkey,
    pub guardian: Pubkey,
}

#[event]
#[derive(Debug)]
pub struct SeriesCreated {
    pub pool: Pubkey,
    pub series: Pubkey,
    pub option_mint: Pubkey,
    pub strike_quote: u64,
    pub expiry: i64,
    pub is_call: bool,
    pub cache_index: u8,
    pub iv_bits: i128,
}

#[event]
#[derive(Debug)]
pub struct Deposited {
    pub pool: Pubkey,
    pub depositor: Pubkey,
    pub quote_in: u64,
    pub lp_minted: u64,
    pub nav_before: i64,
    pub lp_supply_after: u64,
}

#[event]
#[derive(Debug)]
pub struct Withdrawn {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub lp_burned: u64,
    pub quote_out: u64,
    pub nav_before: i64,
    pub lp_supply_after: u64,
}

#[event]
#[derive(Debug)]
pub struct Traded {
    pub pool: Pubkey,
    pub series: Pubkey,
    pub trader: Pubkey,
    pub is_buy: bool,
    pub contracts: u64,
    pub premium: u64,
    pub fee: u64,
    /// What the trader paid (buy) or received (sell).
    pub total: u64,
    pub trade_iv_bits: i128,
    pub spot_bits: i128,
    pub open_interest_after: u64,
    pub pool_net_delta_bits: i128,
}

#[event]
#[derive(Debug)]
pub struct GreeksRefreshed {
    pub pool: Pubkey,
    pub spot_bits: i128,
    pub net_delta_bits: i128,
    pub net_gamma_bits: i128,
    pub net_vega_bits: i128,
    pub liability_bits: i128,
    pub live_series: u8,
}

#[event]
#[derive(Debug)]
pub struct SeriesSettled {
    pub pool: Pubkey,
    pub series: Pubkey,
    pub settlement_price_bits: i128,
    pub payoff_per_contract_bits: i128,
    pub open_interest: u64,
    pub reserved: u64,
}

#[event]
#[derive(Debug)]
pub struct Redeemed {
    pub pool: Pubkey,
    pub series: Pubkey,
    pub holder: Pubkey,
    pub contracts: u64,
    pub payout: u64,
}

#[event]
#[derive(Debug)]
pub struct SeriesClosed {
    pub pool: Pubkey,
    pub series: Pubkey,
    /// Rounding dust of the payout reserve returned to the pool.
    pub released_reserve: u64,
}

#[event]
#[derive(Debug)]
pub struct Rebalanced {
    pub pool: Pubkey,
    pub keeper: Pubkey,
    pub bought_underlying: bool,
    /// Underlying base units held before and after.
    pub hedge_before: u64,
    pub hedge_after: u64,
    /// B* and the band width the plan used (the side the hedge crossed, or
    /// the wider side when it traded to unwind or fund payouts), underlying
    /// base units (I80F48 bits).
    pub target_bits: i128,
    pub band_bits: i128,
    /// What the pool paid into the venue and got out (quote or underlying).
    pub amount_in: u64,
    pub amount_out: u64,
    pub oracle_price_bits: i128,
    pub keeper_reward: u64,
    /// Net short put delta the pool cannot hedge, underlying base units (bits).
    pub unhedgeable_bits: i128,
    pub funds_payouts: bool,
}
