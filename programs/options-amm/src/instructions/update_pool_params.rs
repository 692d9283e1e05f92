//! `update_pool_params` (admin): replace the pool's parameters at once,
//! for the changes that need no timelock: tighter risk caps and a new hedge
//! schedule (`PoolParams::is_immediate_change_from`). Anything else goes
//! through `propose_pool_params` and `apply_pool_params`.
use crate::error::OptionsError;
use crate::events::PoolParamsUpdated;
use crate::state::{Pool, PoolParams};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct UpdatePoolParams<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ OptionsError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
}

pub fn handler(ctx: Context<UpdatePoolParams>, params: PoolParams) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    params.validate(pool.quote_decimals)?;
    require!(params.risk.max_live_series >= pool.live_series, OptionsError::InvalidRiskParams);
    require!(params.is_immediate_change_from(&pool.params), OptionsError::ChangeNeedsTimelock);
    let old = core::mem::replace(&mut pool.params, params.clone());
    emit!(PoolParamsUpdated { pool: pool.key(), old, new: params });
    Ok(())
}
