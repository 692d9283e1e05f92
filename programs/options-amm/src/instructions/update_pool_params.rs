//! `update_pool_params` (admin): replace the pool's parameters, validated
//! exactly as at initialisation.
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
    pool.params = params;
    emit!(PoolParamsUpdated { pool: pool.key() });
    Ok(())
}
