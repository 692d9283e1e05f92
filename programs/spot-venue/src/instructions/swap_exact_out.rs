use anchor_lang::prelude::*;

use crate::error::VenueError;
use crate::instructions::swap::Swap;
use crate::math;

/// Exact output: receive exactly `amount_out` of the destination mint for
/// the smallest input (rounded up, fee included), at most
/// `maximum_amount_in`. Same accounts as `swap`.
pub fn handler(ctx: Context<Swap>, amount_out: u64, maximum_amount_in: u64) -> Result<()> {
    let accounts = ctx.accounts;
    require_gt!(amount_out, 0, VenueError::ZeroAmount);
    let direction = accounts.direction()?;
    let (reserve_in, reserve_out) = accounts.venue_pool.reserves_for(direction);
    let outcome = math::swap_exact_out(reserve_in, reserve_out, amount_out, accounts.venue_pool.fee_bps)?;
    require_gte!(maximum_amount_in, outcome.amount_in, VenueError::SlippageExceeded);
    accounts.settle(direction, outcome)
}
