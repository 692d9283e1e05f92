//! `cancel_pool_params` (admin or guardian): drop the pending change.
use crate::error::OptionsError;
use crate::events::PoolParamsCancelled;
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct CancelPoolParams<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        constraint = pool.admin == authority.key() || pool.guardian_is(&authority.key()) @ OptionsError::NotAdminOrGuardian
    )]
    pub pool: Box<Account<'info, Pool>>,
}

pub fn handler(ctx: Context<CancelPoolParams>) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    require!(pool.has_pending_change(), OptionsError::NoPendingChange);
    pool.pending_eta = 0;
    emit!(PoolParamsCancelled { pool: pool.key(), by: ctx.accounts.authority.key() });
    Ok(())
}
