//! Instructions built from the programs' own Anchor types.
//!
//! Each builder returns the Anchor accounts struct filled with the right
//! addresses; `ix(accounts, data)` turns it into an `Instruction`. Tests that
//! substitute an account change one field of the struct before calling `ix`.
use crate::pda::{PoolKeys, SeriesKeys, VenueKeys};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use options_amm::accounts as oa;
use options_amm::instruction as oi;
use spot_venue::accounts as va;

pub use options_amm::instruction as options_data;
pub use spot_venue::instruction as venue_data;

fn token_program() -> Pubkey {
    anchor_spl::token::ID
}

/// An options-program instruction.
pub fn ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: options_amm::ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

/// A spot-venue instruction.
pub fn venue_ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: spot_venue::ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

pub fn initialize_pool(admin: Pubkey, k: &PoolKeys) -> oa::InitializePool {
    oa::InitializePool {
        admin,
        underlying_mint: k.underlying_mint,
        quote_mint: k.quote_mint,
        pool: k.pool,
        greek_cache: k.greek_cache,
        lp_mint: k.lp_mint,
        quote_vault: k.quote_vault,
        hedge_vault: k.hedge_vault,
        token_program: token_program(),
        system_program: system_program::ID,
    }
}

pub fn admin_params(admin: Pubkey, k: &PoolKeys) -> oa::UpdatePoolParams {
    oa::UpdatePoolParams { admin, pool: k.pool }
}

/// The admin, or the guardian (which may only add flags).
pub fn set_paused(authority: Pubkey, k: &PoolKeys) -> oa::SetPaused {
    oa::SetPaused { authority, pool: k.pool }
}

pub fn propose_params(admin: Pubkey, k: &PoolKeys) -> oa::ProposePoolParams {
    oa::ProposePoolParams { admin, pool: k.pool }
}

pub fn apply_params(admin: Pubkey, k: &PoolKeys) -> oa::ApplyPoolParams {
    oa::ApplyPoolParams { admin, pool: k.pool }
}

/// The admin or the guardian.
pub fn cancel_params(authority: Pubkey, k: &PoolKeys) -> oa::CancelPoolParams {
    oa::CancelPoolParams { authority, pool: k.pool }
}

pub fn propose_admin(admin: Pubkey, k: &PoolKeys) -> oa::ProposeAdmin {
    oa::ProposeAdmin { admin, pool: k.pool }
}

/// Signed by the proposed admin.
pub fn accept_admin(new_admin: Pubkey, k: &PoolKeys) -> oa::AcceptAdmin {
    oa::AcceptAdmin { new_admin, pool: k.pool }
}

pub fn set_guardian(admin: Pubkey, k: &PoolKeys) -> oa::SetGuardian {
    oa::SetGuardian { admin, pool: k.pool }
}

pub fn create_series(admin: Pubkey, k: &PoolKeys, s: &SeriesKeys) -> oa::CreateSeries {
    oa::CreateSeries {
        admin,
        pool: k.pool,
        greek_cache: k.greek_cache,
        series: s.series,
        option_mint: s.option_mint,
        token_program: token_program(),
        system_program: system_program::ID,
    }
}

pub fn deposit(
    depositor: Pubkey,
    k: &PoolKeys,
    price_update: Pubkey,
    depositor_quote: Pubkey,
    depositor_lp: Pubkey,
) -> oa::Deposit {
    oa::Deposit {
        depositor,
        pool: k.pool,
        greek_cache: k.greek_cache,
        price_update,
        quote_vault: k.quote_vault,
        lp_mint: k.lp_mint,
        depositor_quote,
        depositor_lp,
        token_program: token_program(),
    }
}

pub fn withdraw(
    owner: Pubkey,
    k: &PoolKeys,
    price_update: Pubkey,
    owner_lp: Pubkey,
    owner_quote: Pubkey,
) -> oa::Withdraw {
    oa::Withdraw {
        owner,
        pool: k.pool,
        greek_cache: k.greek_cache,
        price_update,
        quote_vault: k.quote_vault,
        lp_mint: k.lp_mint,
        owner_lp,
        owner_quote,
        token_program: token_program(),
    }
}

/// Accounts of `buy` and `sell`.
pub fn trade(
    trader: Pubkey,
    k: &PoolKeys,
    s: &SeriesKeys,
    price_update: Pubkey,
    trader_quote: Pubkey,
    trader_options: Pubkey,
) -> oa::Trade {
    oa::Trade {
        trader,
        pool: k.pool,
        greek_cache: k.greek_cache,
        price_update,
        series: s.series,
        option_mint: s.option_mint,
        quote_vault: k.quote_vault,
        trader_quote,
        trader_options,
        token_program: token_program(),
    }
}

pub fn refresh_greeks(k: &PoolKeys, price_update: Pubkey) -> oa::RefreshGreeks {
    oa::RefreshGreeks { pool: k.pool, greek_cache: k.greek_cache, price_update }
}

pub fn settle_series(k: &PoolKeys, s: &SeriesKeys, price_update: Pubkey) -> oa::SettleSeries {
    oa::SettleSeries { pool: k.pool, greek_cache: k.greek_cache, series: s.series, price_update }
}

pub fn redeem(
    holder: Pubkey,
    k: &PoolKeys,
    s: &SeriesKeys,
    holder_options: Pubkey,
    holder_quote: Pubkey,
) -> oa::Redeem {
    oa::Redeem {
        holder,
        pool: k.pool,
        series: s.series,
        option_mint: s.option_mint,
        quote_vault: k.quote_vault,
        holder_options,
        holder_quote,
        token_program: token_program(),
    }
}

pub fn close_series(k: &PoolKeys, s: &SeriesKeys, admin: Pubkey) -> oa::CloseSeries {
    oa::CloseSeries { pool: k.pool, series: s.series, option_mint: s.option_mint, admin }
}

/// Accounts of `rebalance` on the pool's configured venue.
pub fn rebalance(
    keeper: Pubkey,
    k: &PoolKeys,
    price_update: Pubkey,
    keeper_quote: Pubkey,
    v: &VenueKeys,
) -> oa::Rebalance {
    oa::Rebalance {
        keeper,
        pool: k.pool,
        greek_cache: k.greek_cache,
        price_update,
        quote_vault: k.quote_vault,
        hedge_vault: k.hedge_vault,
        keeper_quote,
        venue_program: spot_venue::ID,
        venue_pool: v.venue_pool,
        venue_base_vault: v.base_vault,
        venue_quote_vault: v.quote_vault,
        token_program: token_program(),
    }
}

// ---- spot venue

pub fn venue_create_pool(payer: Pubkey, v: &VenueKeys) -> va::CreatePool {
    va::CreatePool {
        payer,
        base_mint: v.base_mint,
        quote_mint: v.quote_mint,
        venue_pool: v.venue_pool,
        base_vault: v.base_vault,
        quote_vault: v.quote_vault,
        lp_mint: v.lp_mint,
        token_program: token_program(),
        system_program: system_program::ID,
    }
}

pub fn venue_add_liquidity(
    provider: Pubkey,
    v: &VenueKeys,
    provider_base: Pubkey,
    provider_quote: Pubkey,
    provider_lp: Pubkey,
) -> va::AddLiquidity {
    va::AddLiquidity {
        venue_pool: v.venue_pool,
        provider,
        provider_base,
        provider_quote,
        provider_lp,
        base_vault: v.base_vault,
        quote_vault: v.quote_vault,
        lp_mint: v.lp_mint,
        token_program: token_program(),
    }
}

/// Accounts of `swap` / `swap_exact_out`, in the direction `source` -> `destination`.
pub fn venue_swap(
    authority: Pubkey,
    v: &VenueKeys,
    user_source: Pubkey,
    user_destination: Pubkey,
    base_to_quote: bool,
) -> va::Swap {
    let (vault_source, vault_destination) =
        if base_to_quote { (v.base_vault, v.quote_vault) } else { (v.quote_vault, v.base_vault) };
    va::Swap {
        venue_pool: v.venue_pool,
        user_authority: authority,
        user_source,
        user_destination,
        vault_source,
        vault_destination,
        token_program: token_program(),
    }
}

/// Instruction data, re-exported under short names for callers.
pub mod data {
    pub use super::oi::*;
}
