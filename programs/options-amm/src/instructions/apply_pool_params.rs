//! `apply_pool_params` (admin): put the pending change in force once its
//! timelock has passed, validated again against the pool as it is now.
use crate::error::OptionsError;
use crate::events::PoolParamsUpdated;
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ApplyPoolParams<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ OptionsError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
}

pub fn handler(ctx: Context<ApplyPoolParams>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let pool = &mut ctx.accounts.pool;
    require!(pool.has_pending_change(), OptionsError::NoPendingChange);
    require!(now >= pool.pending_eta, OptionsError::TimelockNotElapsed);
    let params = pool.pending_params.clone();
    params.validate(pool.quote_decimals)?;
    require!(params.risk.max_live_series >= pool.live_series, OptionsError::InvalidRiskParams);
    let old = core::mem::replace(&mut pool.params, params.clone());
    pool.pending_eta = 0;
    emit!(PoolParamsUpdated { pool: pool.key(), old, new: params });
    Ok(())
}
