//! The spot venue adapter: the one place that knows the venue's accounts,
//! its quote maths and its swap instructions. Another venue (a mainnet DEX)
//! is another adapter with the same three functions, not a rewrite of
//! `rebalance`.
use crate::error::OptionsError;
use crate::manager::hedge::{HedgeSide, RebalancePlan};
use anchor_lang::prelude::*;
use spot_venue::state::VenuePool;

/// The configured venue pool, decoded and checked against our mints and the
/// vaults the keeper passed.
pub fn load_pool(
    venue_pool: &AccountInfo,
    venue_program: &Pubkey,
    underlying_mint: &Pubkey,
    quote_mint: &Pubkey,
    base_vault: &Pubkey,
    quote_vault: &Pubkey,
) -> Result<VenuePool> {
    require_keys_eq!(*venue_pool.owner, *venue_program, OptionsError::WrongVenuePool);
    let data = venue_pool.try_borrow_data()?;
    let pool = VenuePool::try_deserialize(&mut &data[..]).map_err(|_| error!(OptionsError::WrongVenuePool))?;
    require!(pool.base_mint == *underlying_mint && pool.quote_mint == *quote_mint, OptionsError::WrongVenuePool);
    require!(pool.base_vault == *base_vault && pool.quote_vault == *quote_vault, OptionsError::WrongVenueVault);
    Ok(pool)
}

/// The largest hedge one rebalance may swap on this venue, underlying base
/// units: half of depth x fee. A sandwich around a swap of x on a
/// constant-product pool of depth R and fee f pays its author roughly
/// (x - f R) x (the price it pushed): below f R the front-run's own fees
/// cost more than the pool's trade gives back, so at half of it every
/// sandwich loses. Larger hedges split across calls (and cooldowns).
pub fn hedge_cap(pool: &VenuePool) -> u64 {
    ((pool.reserve_base as u128 * pool.fee_bps as u128) / (2 * crate::constants::BPS as u128)) as u64
}

/// What the venue would do with the plan now, by its own maths, checked
/// against the oracle bound before any CPI: a manipulated venue price fails
/// here with our `SlippageExceeded` (the venue would refuse it too, with its
/// own code).
pub fn check_quote(pool: &VenuePool, plan: &RebalancePlan) -> Result<()> {
    use spot_venue::math::{swap_exact_in, swap_exact_out};
    match plan.side {
        HedgeSide::BuyUnderlying => {
            let o = swap_exact_out(pool.reserve_quote, pool.reserve_base, plan.underlying, pool.fee_bps)
                .map_err(|_| error!(OptionsError::VenueCannotFill))?;
            require!(o.amount_in <= plan.quote_bound, OptionsError::SlippageExceeded);
        }
        HedgeSide::SellUnderlying => {
            let o = swap_exact_in(pool.reserve_base, pool.reserve_quote, plan.underlying, pool.fee_bps)
                .map_err(|_| error!(OptionsError::VenueCannotFill))?;
            require!(o.amount_out >= plan.quote_bound, OptionsError::SlippageExceeded);
        }
    }
    Ok(())
}

/// Accounts of one swap, the pool PDA signing for its vaults.
pub struct SwapAccounts<'a, 'info> {
    pub venue_program: &'a AccountInfo<'info>,
    pub venue_pool: &'a AccountInfo<'info>,
    pub pool_authority: &'a AccountInfo<'info>,
    pub quote_vault: &'a AccountInfo<'info>,
    pub hedge_vault: &'a AccountInfo<'info>,
    pub venue_base_vault: &'a AccountInfo<'info>,
    pub venue_quote_vault: &'a AccountInfo<'info>,
    pub token_program: &'a AccountInfo<'info>,
}

/// Buy exactly `plan.underlying` for at most `quote_bound` quote, or sell
/// exactly `plan.underlying` for at least `quote_bound`.
pub fn swap(a: SwapAccounts<'_, '_>, plan: &RebalancePlan, signer_seeds: &[&[&[u8]]]) -> Result<()> {
    let (user_source, user_destination, vault_source, vault_destination) = match plan.side {
        HedgeSide::BuyUnderlying => (a.quote_vault, a.hedge_vault, a.venue_quote_vault, a.venue_base_vault),
        HedgeSide::SellUnderlying => (a.hedge_vault, a.quote_vault, a.venue_base_vault, a.venue_quote_vault),
    };
    let ctx = CpiContext::new_with_signer(
        a.venue_program.key(),
        spot_venue::cpi::accounts::Swap {
            venue_pool: a.venue_pool.clone(),
            user_authority: a.pool_authority.clone(),
            user_source: user_source.clone(),
            user_destination: user_destination.clone(),
            vault_source: vault_source.clone(),
            vault_destination: vault_destination.clone(),
            token_program: a.token_program.clone(),
        },
        signer_seeds,
    );
    match plan.side {
        HedgeSide::BuyUnderlying => spot_venue::cpi::swap_exact_out(ctx, plan.underlying, plan.quote_bound),
        HedgeSide::SellUnderlying => spot_venue::cpi::swap(ctx, plan.underlying, plan.quote_bound),
    }
}
