//! `accept_admin` (the proposed admin): take the admin role. The old admin
//! keeps no power at all from this instruction on.
use crate::error::OptionsError;
use crate::events::AdminAccepted;
use crate::state::Pool;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    pub new_admin: Signer<'info>,
    #[account(
        mut,
        constraint = pool.pending_admin != Pubkey::default() && pool.pending_admin == new_admin.key()
            @ OptionsError::NotPendingAdmin
    )]
    pub pool: Box<Account<'info, Pool>>,
}

pub fn handler(ctx: Context<AcceptAdmin>) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    let new_admin = ctx.accounts.new_admin.key();
    let old_admin = core::mem::replace(&mut pool.admin, new_admin);
    pool.pending_admin = Pubkey::default();
    emit!(AdminAccepted { pool: pool.key(), old_admin, new_admin });
    Ok(())
}
