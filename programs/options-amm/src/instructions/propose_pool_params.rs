//! `propose_pool_params` (admin): announce a change the timelock guards;
//! it can be applied once `timelock_s` (the pool's current one) has passed.
//! A new proposal replaces a pending one and restarts its clock.
use crate::error::OptionsError;
use crate::events::PoolParamsProposed;
use crate::state::{Pool, PoolParams};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ProposePoolParams<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ OptionsError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
}

pub fn handler(ctx: Context<ProposePoolParams>, params: PoolParams) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let pool = &mut ctx.accounts.pool;
    // refused now rather than at apply time, when nobody may be watching
    params.validate(pool.quote_decimals)?;
    let eta = now + pool.params.governance.timelock_s as i64;
    pool.pending_params = params.clone();
    pool.pending_eta = eta;
    emit!(PoolParamsProposed { pool: pool.key(), eta, old: pool.params.clone(), new: params });
    Ok(())
}
